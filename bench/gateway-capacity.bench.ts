import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { startTestGateway } from '../test/support/gateway.ts';

/**
 * Gateway capacity: N simulated stereo calls streaming in real time against one gateway process with
 * the counting recognizer, for N in BENCH_CALLS (default 500,1000,2000,3000). For each N: event-loop
 * lag p99 while all calls stream, frames lost (sent by the clients minus received by the gateway),
 * and whether the goal holds (lag p99 ≤ 20 ms, 0 lost). The load runs in a separate process.
 */
const steps = (process.env.BENCH_CALLS ?? '500,1000,2000,3000').split(',').map(Number);
const streamSeconds = Number(process.env.BENCH_STREAM_SECONDS ?? 30);
const tsx = createRequire(import.meta.url).resolve('tsx');
const loader = fileURLToPath(new URL('./support/load-calls.ts', import.meta.url));

let largestHolding = 0;
for (const calls of steps) {
  const gw = await startTestGateway({ env: { MAX_SESSIONS: String(calls + 100), IDLE_TIMEOUT_MS: '60000' } });
  const rampSeconds = Math.max(5, calls / 200);
  const child = spawn(process.execPath, ['--import', tsx, loader, gw.url, gw.clientOptions.apiKey, gw.clientOptions.clientSecret, String(calls), String(streamSeconds), String(rampSeconds)], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'SILENT' },
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));

  // Measure once every call is connected and streaming: after the ramp, for most of the streaming time.
  await new Promise((r) => setTimeout(r, (rampSeconds + 2) * 1000));
  // The histogram measures the sampling interval plus the lag: sample every 1 ms and subtract it.
  const lag = monitorEventLoopDelay({ resolution: 1 });
  lag.enable();
  const liveAtStart = gw.server.sessions.size;
  await new Promise((r) => setTimeout(r, Math.max(5, streamSeconds - rampSeconds - 4) * 1000));
  lag.disable();

  await new Promise((r) => child.on('exit', r));
  const sent = JSON.parse(output.trim().split('\n').at(-1) ?? '{}') as { framesSent: number; failedCalls: number; pongsMissed: number; violations: number };
  const received = gw.server.framesReceived;
  const lagMs = (nanos: number) => Math.max(0, Math.round((nanos / 1e6 - 1) * 10) / 10);
  const lagP99Ms = lagMs(lag.percentile(99));
  const framesLost = sent.framesSent - received;
  const holds = lagP99Ms <= 20 && framesLost === 0 && sent.failedCalls === 0;
  if (holds) largestHolding = Math.max(largestHolding, calls);
  console.log(JSON.stringify({
    bench: 'gateway-capacity', calls, liveSessionsMeasured: liveAtStart, streamSeconds,
    lagP50Ms: lagMs(lag.percentile(50)), lagP99Ms, lagMaxMs: lagMs(lag.max),
    framesSent: sent.framesSent, framesReceived: received, framesLost, failedCalls: sent.failedCalls, pongsMissed: sent.pongsMissed,
    protocolViolations: sent.violations, goal: { calls: 2000, lagP99Ms: 20, framesLost: 0 }, holds,
  }));
  await gw.close();
}
console.log(JSON.stringify({ bench: 'gateway-capacity-summary', largestCallsHoldingGoal: largestHolding, goalCalls: 2000, meetsGoal: largestHolding >= 2000 }));
