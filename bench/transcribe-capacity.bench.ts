import { TRANSCRIBED_CALLS_PER_VCPU } from '#core/contract/gateway-capacity.ts';
import { runCapacityStep, startStandInProcess } from './support/capacity.ts';

/**
 * Calls per gateway process with the production engine: RECOGNIZER=transcribe (the real AWS SDK, one
 * HTTP/2 connection and one SigV4-signed event stream per call) against the Transcribe stand-in in
 * `echo` mode in its own process, N real-time stereo calls from a load generator in another process,
 * transcription started on each through the control endpoint. Utterances go to the gateway's log sink
 * (no tables): their storage and delivery are measured by the webhook benchmarks.
 *
 * For N in BENCH_CALLS (default 200,300,400,500,600): lag p99 ≤ 20 ms, 0 frames lost and 0 pongs late
 * hold or not; CPU ms per call-second and RSS per call. The summary gives the largest N that holds, next
 * to the calls per vCPU the stack is sized from (docs/capacity.md).
 */
const steps = (process.env.BENCH_CALLS ?? '200,300,400,500,600').split(',').map(Number);
const streamSeconds = Number(process.env.BENCH_STREAM_SECONDS ?? 40);
const GOAL = { lagP99Ms: 20, framesLost: 0, pongsLate: 0 };

const standIn = await startStandInProcess('echo');
process.env.AWS_ENDPOINT_URL_TRANSCRIBE_STREAMING = standIn.url;
process.env.AWS_REGION = 'us-east-1';
process.env.AWS_ACCESS_KEY_ID = 'bench';
process.env.AWS_SECRET_ACCESS_KEY = 'bench';
delete process.env.AWS_SESSION_TOKEN;

let largest: Record<string, unknown> | undefined;
try {
  for (const calls of steps) {
    // Each call opens its own HTTP/2 connection and signed stream: calls arrive at 50 a second.
    const r = await runCapacityStep({ calls, streamSeconds, recognizer: 'transcribe', startStreaming: true, callsPerSecond: 50 });
    const holds =
      r.lagP99Ms <= GOAL.lagP99Ms &&
      r.framesLost === 0 &&
      r.pongsLate === 0 &&
      r.failedCalls === 0 &&
      r.failedStarts === 0 &&
      r.closesAcknowledged === calls;
    if (holds) largest = r;
    console.log(JSON.stringify({ bench: 'transcribe-capacity', recognizer: 'transcribe', standIn: 'echo', ...r, goal: GOAL, holds }));
  }
} finally {
  await standIn.stop();
}
console.log(
  JSON.stringify({
    bench: 'transcribe-capacity-summary',
    largestCallsHoldingGoal: largest?.calls ?? 0,
    /** The figure the stack sizes itself from (core/contract/gateway-capacity.ts), and whether this run bears it out. */
    stackCallsPerVcpu: TRANSCRIBED_CALLS_PER_VCPU,
    supportsStackFigure: ((largest?.calls as number | undefined) ?? 0) >= TRANSCRIBED_CALLS_PER_VCPU,
    cpuMsPerCallSecond: largest?.cpuMsPerCallSecond,
    rssKbPerCall: largest?.rssKbPerCall,
  }),
);
