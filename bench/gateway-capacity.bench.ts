import { runCapacityStep } from './support/capacity.ts';

/**
 * Raw gateway capacity (RECOGNIZER=none: transcription is started on every call, so every frame is
 * decoded and handed to a recognizer that only counts it): N simulated real-time stereo calls from a
 * load generator in a separate process, for N in BENCH_CALLS (default 2000,3000,4000,5000). For each N: event-loop lag, pong round trips as the callers saw them, frames
 * lost, closes acknowledged, CPU and RSS per live session. The goal: 5,000 calls with pong p99 ≤ 50 ms,
 * no failure, every close acknowledged, ≤ 64 KB of RSS per session.
 */
const steps = (process.env.BENCH_CALLS ?? '2000,3000,4000,5000').split(',').map(Number);
const streamSeconds = Number(process.env.BENCH_STREAM_SECONDS ?? 45);
const GOAL = { calls: 5000, pongP99Ms: 50, rssKbPerCall: 64 };

let largestHolding = 0;
for (const calls of steps) {
  const r = await runCapacityStep({ calls, streamSeconds, recognizer: 'none', startStreaming: true });
  const holds =
    r.pongP99Ms !== null &&
    r.pongP99Ms <= GOAL.pongP99Ms &&
    r.framesLost === 0 &&
    r.failedCalls === 0 &&
    r.pongsLate === 0 &&
    r.closesAcknowledged === calls &&
    r.rssKbPerCall <= GOAL.rssKbPerCall;
  if (holds) largestHolding = Math.max(largestHolding, calls);
  console.log(JSON.stringify({ bench: 'gateway-capacity', recognizer: 'none', ...r, goal: GOAL, holds }));
}
console.log(
  JSON.stringify({
    bench: 'gateway-capacity-summary',
    largestCallsHoldingGoal: largestHolding,
    goalCalls: GOAL.calls,
    meetsGoal: largestHolding >= GOAL.calls,
  }),
);
