import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { startGateway, type RunningGateway } from '#gateway/gateway.ts';

/**
 * One capacity step: a gateway assembled as in production (startGateway) in this process, N real-time
 * stereo calls from a load generator in another process, and what the gateway's process paid while
 * every call streamed — event-loop lag, CPU seconds, RSS — next to what the calls saw (frames lost,
 * pong round trips, closes acknowledged).
 */

const tsx = createRequire(import.meta.url).resolve('tsx');
const loader = fileURLToPath(new URL('./load-calls.ts', import.meta.url));
const API_KEY = 'bench-api-key';
const CLIENT_SECRET = Buffer.from('bench-client-secret-of-32-bytes!').toString('base64');

export interface CapacityStep {
  calls: number;
  streamSeconds: number;
  recognizer: 'none' | 'transcribe';
  /** Start transcription on each call through the control endpoint. */
  startStreaming: boolean;
  /** How fast calls connect (default 200 a second): every call is streaming before measuring begins. */
  callsPerSecond?: number;
  env?: Record<string, string>;
}

export interface LoadReport {
  framesSent: number;
  failedCalls: number;
  failedStarts: number;
  pongs: number;
  pongP50Ms: number | null;
  pongP99Ms: number | null;
  pongMaxMs: number | null;
  pongsLate: number;
  closesAcknowledged: number;
  violations: number;
  loadCpuCores: number;
}

export async function runCapacityStep(step: CapacityStep) {
  const gw: RunningGateway = await startGateway({
    env: {
      GATEWAY_HOST: '127.0.0.1',
      GATEWAY_PORT: '0',
      CONTROL_HOST: '127.0.0.1',
      CONTROL_PORT: '0',
      AUDIOHOOK_API_KEY: API_KEY,
      AUDIOHOOK_CLIENT_SECRET: CLIENT_SECRET,
      RECOGNIZER: step.recognizer,
      MAX_SESSIONS: String(step.calls + 100),
      IDLE_TIMEOUT_MS: '60000',
      ...step.env,
    },
  });
  global.gc?.();
  const rssBefore = process.memoryUsage().rss;
  const rampSeconds = Math.max(5, step.calls / (step.callsPerSecond ?? 200));
  const load = spawnLoad({
    url: `ws://127.0.0.1:${gw.address.port}${gw.config.AUDIOHOOK_PATH}`,
    apiKey: API_KEY,
    clientSecret: CLIENT_SECRET,
    calls: step.calls,
    streamSeconds: step.streamSeconds,
    rampSeconds,
    ...(step.startStreaming && { controlUrl: gw.controlUrl }),
  });

  // Measure once every call is connected and streaming: after the ramp, for most of the streaming time.
  await sleep((rampSeconds + 2) * 1000);
  // The histogram measures the sampling interval plus the lag: sample every 1 ms and subtract it.
  const lag = monitorEventLoopDelay({ resolution: 1 });
  lag.enable();
  const liveAtStart = gw.server.sessions.size;
  const cpuBefore = process.cpuUsage();
  const measuredSeconds = Math.max(5, step.streamSeconds - rampSeconds - 4);
  const began = performance.now();
  await sleep((measuredSeconds * 1000) / 2);
  const rssDuring = process.memoryUsage().rss;
  await sleep((measuredSeconds * 1000) / 2);
  const cpu = process.cpuUsage(cpuBefore);
  const wallSeconds = (performance.now() - began) / 1000;
  lag.disable();

  const sent = await load.report;
  const received = gw.server.framesReceived;
  await gw.close();
  const lagMs = (nanos: number) => Math.max(0, Math.round((nanos / 1e6 - 1) * 10) / 10);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return {
    calls: step.calls,
    liveSessionsMeasured: liveAtStart,
    streamSeconds: step.streamSeconds,
    lagP50Ms: lagMs(lag.percentile(50)),
    lagP99Ms: lagMs(lag.percentile(99)),
    lagMaxMs: lagMs(lag.max),
    /** CPU of the gateway process per second of wall time while every call streamed (1 = one core). */
    gatewayCpuCores: round(cpuSeconds / wallSeconds, 3),
    cpuMsPerCallSecond: round((cpuSeconds * 1000) / (wallSeconds * Math.max(1, liveAtStart)), 3),
    rssMb: round(rssDuring / 2 ** 20, 1),
    rssKbPerCall: round((rssDuring - rssBefore) / 1024 / Math.max(1, liveAtStart), 1),
    ...sent,
    framesReceived: received,
    framesLost: sent.framesSent - received,
    loadAverage1m: round(loadavg()[0], 2),
  };
}

function spawnLoad(options: Record<string, unknown>): { child: ChildProcess; report: Promise<LoadReport> } {
  // The load is generated the same way whatever the gateway is measured with (WS_NO_BUFFER_UTIL).
  const { WS_NO_BUFFER_UTIL: _gatewayOnly, ...env } = process.env;
  // BENCH_LOAD_CPU_PROF=DIR: a CPU profile of the load generator too (the gateway's: node --cpu-prof).
  const profile = process.env.BENCH_LOAD_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_LOAD_CPU_PROF}`] : [];
  const child = spawn(process.execPath, [...profile, '--import', tsx, loader, JSON.stringify(options)], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...env, POWERTOOLS_LOG_LEVEL: 'SILENT' },
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  const report = new Promise<LoadReport>((resolve, reject) => {
    child.on('exit', (code) => {
      const last = output.trim().split('\n').at(-1);
      if (code !== 0 || !last) reject(new Error(`load generator exited with ${code}`));
      else resolve(JSON.parse(last) as LoadReport);
    });
  });
  return { child, report };
}

/** Starts the Transcribe stand-in in its own process (as the service is remote) and returns its URL. */
export async function startStandInProcess(mode: 'echo' | 'engine'): Promise<{ url: string; stop(): Promise<void> }> {
  const main = fileURLToPath(new URL('../../local/transcribe-standin/main.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', tsx, main, mode], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'SILENT' },
  });
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (d: Buffer) => {
      output += d.toString();
      const line = output.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve((JSON.parse(line) as { transcribeStandIn: string }).transcribeStandIn);
    });
    child.on('exit', (code) => reject(new Error(`stand-in exited with ${code}`)));
  });
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        child.on('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
