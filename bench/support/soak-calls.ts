import { randomUUID } from 'node:crypto';
import { AudioHookClient } from '#local/simulator/client.ts';
import { startStopApi } from '#local/simulator/control-api.ts';

/**
 * Load of the soak benchmark, in its own process: `calls` concurrent slots for `minutes`; each slot
 * runs calls back to back (`callSeconds` of real-time stereo audio each) with start-streaming sent the
 * moment `opened` arrives and stop-streaming before `close`, and pings every 5 s, as Genesys and a CTI
 * integration do. Prints one JSON line with what happened.
 *
 * argv: audiohookUrl apiKey clientSecret apiUrl apiId apiSecret calls minutes callSeconds
 */
const [url, apiKey, clientSecret, apiUrl, apiId, apiSecret, callsArg, minutesArg, callSecondsArg] = process.argv.slice(2);
const slots = Number(callsArg);
const endAt = performance.now() + Number(minutesArg) * 60_000;
const callMs = Number(callSecondsArg) * 1000;
const FRAME = new Uint8Array(3_200).fill(0xff);
const api = startStopApi({ baseUrl: apiUrl, apiId, apiSecret });

const totals = {
  calls: 0,
  failedCalls: 0,
  startsOk: 0,
  startsFailed: 0,
  stopsOk: 0,
  stopsFailed: 0,
  pongsMissed: 0,
  violations: 0,
  framesSent: 0,
};
const startStatuses: Record<string, number> = {};

async function oneCall(): Promise<void> {
  const client = new AudioHookClient({
    url,
    apiKey,
    clientSecret,
    conversationId: randomUUID(),
    openTimeoutMs: 15_000,
    closeTimeoutMs: 15_000,
  });
  totals.calls++;
  try {
    await client.start();
    const start = await api.start({ guid: client.conversationId, customerId: 'soak-customer', agentId: 'soak-agent' });
    // By status and, for an error, its code (400-203: the call was not found within the registration wait).
    const code = (start.body as { error?: { code?: unknown } } | null)?.error?.code;
    const key = code === undefined ? String(start.status) : `${start.status} ${String(code)}`;
    startStatuses[key] = (startStatuses[key] ?? 0) + 1;
    if (start.status === 200) totals.startsOk++;
    else totals.startsFailed++;
    const began = performance.now();
    let frames = 0;
    let nextPing = 5_000;
    while (frames * 200 < callMs) {
      client.sendAudio(FRAME);
      frames++;
      totals.framesSent++;
      if (frames * 200 >= nextPing) {
        nextPing += 5_000;
        client.ping().catch(() => totals.pongsMissed++);
      }
      const wait = began + frames * 200 - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    const stop = await api.stop(client.conversationId);
    if (stop.status === 200) totals.stopsOk++;
    else totals.stopsFailed++;
    await client.close();
    totals.violations += client.violations.length;
  } catch {
    totals.failedCalls++;
    await client.drop().catch(() => undefined);
  }
}

async function slot(index: number): Promise<void> {
  // Slots start spread over one call length, so calls begin and end all the time.
  await new Promise((r) => setTimeout(r, (index * callMs) / slots));
  while (performance.now() < endAt) await oneCall();
}

await Promise.all(Array.from({ length: slots }, (_, i) => slot(i)));
console.log(JSON.stringify({ ...totals, startStatuses }));
