import { randomUUID } from 'node:crypto';
import { createGatewayControlClient } from '#core/api/gateway-control-client.ts';
import { AudioHookClient } from '#local/simulator/client.ts';

/**
 * Load generator for the capacity benchmarks, run in its own process so the gateway's event loop is
 * measured alone: N stereo calls that connect at a steady pace, then each stream 200 ms PCMU frames in
 * real time and ping every 5 s, as Genesys does; with a control URL, each call's transcription is
 * started (as the start-streaming Lambda does) right after `opened`. Prints one JSON line: what was
 * sent, pong round trips, closes acknowledged, failures.
 *
 * argv: one JSON object { url, apiKey, clientSecret, calls, streamSeconds, rampSeconds, controlUrl? }
 */
interface LoadOptions {
  url: string;
  apiKey: string;
  clientSecret: string;
  calls: number;
  streamSeconds: number;
  rampSeconds: number;
  controlUrl?: string;
}

const options = JSON.parse(process.argv[2]) as LoadOptions;
const streamMs = options.streamSeconds * 1000;
const FRAME = new Uint8Array(3_200).fill(0xff);
/** Genesys fails a session whose pong has not come when the next ping is due. */
const PING_INTERVAL_MS = 5_000;
const control = options.controlUrl ? createGatewayControlClient({ startTimeoutMs: 30_000 }) : undefined;

let framesSent = 0;
let failedCalls = 0;
let failedStarts = 0;
let pongsLate = 0;
let closesAcknowledged = 0;
let violations = 0;
const rtts: number[] = [];

/**
 * One clock for every call's frames: a timer per call per frame (25,000 a second at 5,000 calls) would
 * make the load generator, not the gateway, the thing measured.
 */
const streaming = new Set<{ client: AudioHookClient; began: number; frames: number; done: () => void }>();
const ticker = setInterval(() => {
  const now = performance.now();
  for (const call of streaming) {
    while (call.began + call.frames * 200 <= now && call.frames * 200 < streamMs) {
      call.client.sendAudio(FRAME);
      call.frames++;
      framesSent++;
      if ((call.frames * 200) % PING_INTERVAL_MS === 0) ping(call.client);
    }
    if (call.frames * 200 >= streamMs) {
      streaming.delete(call);
      call.done();
    }
  }
}, 10);

function ping(client: AudioHookClient): void {
  client.ping().then(
    (rtt) => {
      rtts.push(rtt);
      if (rtt > PING_INTERVAL_MS) pongsLate++;
    },
    () => pongsLate++,
  );
}

async function oneCall(delayMs: number): Promise<void> {
  await new Promise((r) => setTimeout(r, delayMs));
  const client = new AudioHookClient({
    url: options.url,
    apiKey: options.apiKey,
    clientSecret: options.clientSecret,
    openTimeoutMs: 15_000,
    closeTimeoutMs: 15_000,
    // The generator is measurement equipment: its own per-frame masking would be measured with the gateway.
    zeroMask: true,
  });
  try {
    await client.start();
    if (control) {
      const outcome = await control.start(options.controlUrl!, client.conversationId, {
        sessionId: client.sessionId,
        settings: {
          language: 'en-US',
          detailedToken: false,
          redactionOutput: 'redacted',
          audioRecordingAllowed: false,
          customerId: 'c',
          agentId: 'a',
        },
        customerStreamId: randomUUID(),
        agentStreamId: randomUUID(),
        externalConversationId: client.conversationId,
        tenant: 'bench',
      });
      if (outcome.kind !== 'ok') failedStarts++;
    }
    // Every call streams the same length of audio, whenever it connected.
    await new Promise<void>((done) => streaming.add({ client, began: performance.now(), frames: 0, done }));
    const closed = await client.close();
    if (closed?.type === 'closed') closesAcknowledged++;
    violations += client.violations.length;
  } catch {
    failedCalls++;
    await client.drop().catch(() => undefined);
  }
}

const cpuAtStart = process.cpuUsage();
const startedAt = performance.now();
await Promise.all(Array.from({ length: options.calls }, (_, i) => oneCall((i * options.rampSeconds * 1000) / options.calls)));
clearInterval(ticker);
const cpu = process.cpuUsage(cpuAtStart);
rtts.sort((a, b) => a - b);
const percentile = (p: number) =>
  rtts.length ? Math.round(rtts[Math.min(rtts.length - 1, Math.floor((p / 100) * rtts.length))] * 10) / 10 : null;
console.log(
  JSON.stringify({
    framesSent,
    failedCalls,
    failedStarts,
    pongs: rtts.length,
    pongP50Ms: percentile(50),
    pongP99Ms: percentile(99),
    pongMaxMs: percentile(100),
    pongsLate,
    closesAcknowledged,
    violations,
    /** The generator's own CPU averaged over its whole run, ramp included (1 = one core): near 1, it is what is measured. */
    loadCpuCores: Math.round(((cpu.user + cpu.system) / 1e3 / (performance.now() - startedAt)) * 1000) / 1000,
  }),
);
