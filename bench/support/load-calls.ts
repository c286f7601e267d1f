import { AudioHookClient } from '../../local/simulator/client.ts';

/**
 * Load generator for the gateway capacity benchmark, run in its own process so the gateway's event
 * loop is measured alone: N stereo calls that connect at a steady pace, then each stream 200 ms PCMU
 * frames in real time and ping every 5 s, as Genesys does. Prints one JSON line with what was sent.
 *
 * argv: url apiKey clientSecret calls streamSeconds rampSeconds
 */
const [url, apiKey, clientSecret, callsArg, streamArg, rampArg] = process.argv.slice(2);
const calls = Number(callsArg);
const streamMs = Number(streamArg) * 1000;
const rampMs = Number(rampArg) * 1000;
const FRAME = new Uint8Array(3_200).fill(0xff);

let framesSent = 0;
let failedCalls = 0;
let pongsMissed = 0;
let violations = 0;

async function oneCall(delayMs: number): Promise<void> {
  await new Promise((r) => setTimeout(r, delayMs));
  const client = new AudioHookClient({ url, apiKey, clientSecret, openTimeoutMs: 15_000, closeTimeoutMs: 15_000 });
  try {
    await client.start();
    const began = performance.now();
    let frames = 0;
    let nextPing = 5_000;
    // Every call streams the same length of audio, whenever it connected.
    while (frames * 200 < streamMs) {
      client.sendAudio(FRAME);
      frames++;
      framesSent++;
      if (frames * 200 >= nextPing) {
        nextPing += 5_000;
        client.ping().catch(() => pongsMissed++);
      }
      const wait = began + frames * 200 - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    await client.close();
    violations += client.violations.length;
  } catch {
    failedCalls++;
    await client.drop().catch(() => undefined);
  }
}

await Promise.all(Array.from({ length: calls }, (_, i) => oneCall((i * rampMs) / calls)));
console.log(JSON.stringify({ framesSent, failedCalls, pongsMissed, violations }));
