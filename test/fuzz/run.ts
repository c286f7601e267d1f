import { startTestGateway } from '../support/gateway.ts';
import { fuzzSession } from './fuzz-session.ts';

/**
 * `npm run fuzz [-- --frames N --seed S]`: the long fuzz run (default 100,000 frames). Prints progress,
 * heap use per round and a final JSON line; exits non-zero on the first failure, naming its seed.
 */
const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const totalFrames = option('frames', 100_000);
const firstSeed = option('seed', 1);
const framesPerSession = 25;
const concurrency = 25;

const gw = await startTestGateway({ env: { IDLE_TIMEOUT_MS: '2000' } });
const heap: number[] = [];
let frames = 0;
let seed = firstSeed;
const endings: Record<string, number> = {};
const started = performance.now();
try {
  while (frames < totalFrames) {
    const results = await Promise.all(Array.from({ length: concurrency }, () => fuzzSession(gw.clientOptions, seed++, framesPerSession)));
    for (const r of results) endings[r.ending] = (endings[r.ending] ?? 0) + 1;
    frames += concurrency * framesPerSession;
    if (frames % 10_000 < concurrency * framesPerSession) {
      global.gc?.();
      heap.push(Math.round(process.memoryUsage().heapUsed / 1e6));
      console.log(`${frames} frames, ${seed - firstSeed} sessions, heap ${heap.at(-1)} MB, live sessions ${gw.server.sessions.size}`);
    }
  }
  await new Promise((r) => setTimeout(r, 3_000));
  const result = {
    bench: 'fuzz',
    frames,
    sessions: seed - firstSeed,
    endings,
    liveSessionsAfter: gw.server.sessions.size,
    liveCallsAfter: gw.server.calls.size,
    heapMbFirst: heap[0],
    heapMbLast: heap.at(-1),
    seconds: Math.round((performance.now() - started) / 1000),
  };
  console.log(JSON.stringify(result));
  if (result.liveSessionsAfter !== 0 || result.liveCallsAfter !== 0) process.exitCode = 1;
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
} finally {
  await gw.close();
}
