import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoDbDocumentClient } from '#core/aws/clients.ts';
import { DEV_AUDIOHOOK_API_KEY, DEV_AUDIOHOOK_CLIENT_SECRET } from '#gateway/audiohook/dev-credentials.ts';
import { DEV_API_ID, DEV_API_SECRET } from '#local/dev-credentials.ts';
import { startLocalSystem } from '#local/system.ts';
import { ScriptedRecognizer } from './support/scripted-recognizer.ts';

/**
 * Soak: SOAK_CALLS concurrent real-time calls through the whole local system (`npm start`'s parts:
 * gateway, API, queue, webhook delivery on its thread, built-in receiver; the AWS stand-ins in a
 * process of their own) for SOAK_MINUTES, each call started the moment `opened` arrives and stopped
 * before `close`, calls following each other in every slot (SOAK_CALL_SECONDS each). The engine emits
 * one scripted utterance per participant every 3 s of audio. Counts emitted = stored = delivered
 * exactly once, and RSS, heap (both threads', after GC), open file descriptors, the main thread's
 * event-loop lag and each process's CPU over the run. Goal: 1,000 calls × 10 minutes, 0 lost,
 * 0 duplicated, heap growth < 10 %.
 */
const calls = Number(process.env.SOAK_CALLS ?? 100);
const minutes = Number(process.env.SOAK_MINUTES ?? 2);
const callSeconds = Number(process.env.SOAK_CALL_SECONDS ?? 60);

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const tsx = createRequire(import.meta.url).resolve('tsx');
const loader = fileURLToPath(new URL('./support/soak-calls.ts', import.meta.url));

// AWS stand-ins in their own process: the stored utterances must not count as the service's heap growth.
const standIns = spawn(process.execPath, ['--import', tsx, fileURLToPath(new URL('./support/soak-standins.ts', import.meta.url))], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
process.once('exit', () => standIns.kill());
const endpoints = await new Promise<{ dynamodb: string; fauxqs: string }>((resolve, reject) => {
  let text = '';
  standIns.stdout.on('data', (d: Buffer) => {
    text += d.toString();
    if (text.includes('\n')) resolve(JSON.parse(text.split('\n')[0]) as { dynamodb: string; fauxqs: string });
  });
  standIns.once('exit', (code) => reject(new Error(`the AWS stand-ins exited (${code})`)));
});

// The system fills in process.env (stand-in endpoints, table names), which the store count below reads too.
const env = Object.assign(process.env, {
  API_PORT: '0',
  GATEWAY_PORT: '0',
  CONTROL_PORT: '0',
  WEBHOOK_RECEIVER_PORT: '0',
  RECOGNIZER: 'none',
  MAX_SESSIONS: String(calls * 2 + 100),
  // SOAK_LOG_LEVEL=ERROR shows why something was lost (on stderr, apart from the result line).
  POWERTOOLS_LOG_LEVEL: process.env.SOAK_LOG_LEVEL ?? 'SILENT',
  POWERTOOLS_METRICS_DISABLED: 'true',
  AWS_ENDPOINT_URL: endpoints.dynamodb,
  AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
  AWS_ENDPOINT_URL_SQS: endpoints.fauxqs,
  AWS_ENDPOINT_URL_S3: endpoints.fauxqs,
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
});
const recognizer = new ScriptedRecognizer(3_000);
// Per stream, how often each utterance (by its start, a multiple of the script's 3 s) was delivered:
// a byte per utterance, so the harness's own bookkeeping barely weighs on the heap it measures.
const deliveries = new Map<string, Uint8Array>();
let delivered = 0;
let deliveredUnique = 0;
const system = await startLocalSystem({
  env,
  recognizer,
  scheduler: false,
  print: () => undefined,
  onTranscript: (body) => {
    delivered++;
    // Starts of one stream are at least 3 s apart, so each falls in a 3 s slot of its own.
    const k = Math.floor(body.autotranscribeResponse.start / 3_000);
    let seen = deliveries.get(body.streamId);
    if (!seen || k >= seen.length) {
      const grown = new Uint8Array(Math.max(k + 1, Math.ceil(callSeconds / 3) + 2));
      if (seen) grown.set(seen);
      deliveries.set(body.streamId, (seen = grown));
    }
    if (seen[k]++ === 0) deliveredUnique++;
  },
});

// The heap is the main thread's plus the webhook consumer thread's (each after a full collection).
const sample = async () => {
  gc();
  const m = process.memoryUsage();
  const consumerHeap = (await system.webhookConsumer.heapUsed()) ?? 0;
  return {
    rssMb: Math.round(m.rss / 1e6),
    heapMb: Math.round((m.heapUsed + consumerHeap) / 1e6),
    consumerHeapMb: Math.round(consumerHeap / 1e6),
    fds: readdirSync('/proc/self/fd').length,
    live: system.gateway.server.sessions.size,
  };
};
const samples: Array<Awaited<ReturnType<typeof sample>> & { atS: number }> = [];
const started = performance.now();
// The histogram measures the sampling interval plus the lag: sample every 1 ms and subtract it.
const lag = monitorEventLoopDelay({ resolution: 1 });
lag.enable();
// CPU of each process over the load (1 = one core): Linux's /proc/PID/stat, in clock ticks of 10 ms.
const cpuSecondsOf = (pid: number | undefined) => {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
};
const cpuAtStart = { system: cpuSecondsOf(process.pid), standIns: cpuSecondsOf(standIns.pid) };
const sampler = setInterval(() => {
  const atS = Math.round((performance.now() - started) / 1000);
  void sample().then((s) => samples.push({ atS, ...s }));
}, 15_000);
// How busy the consumer thread's event loop was over the load (1 = always).
const consumerLoopAtStart = system.webhookConsumer.thread?.performance.eventLoopUtilization();

const child = spawn(
  process.execPath,
  [
    '--import',
    tsx,
    loader,
    system.urls.audiohook,
    DEV_AUDIOHOOK_API_KEY,
    DEV_AUDIOHOOK_CLIENT_SECRET,
    system.urls.api,
    DEV_API_ID,
    DEV_API_SECRET,
    String(calls),
    String(minutes),
    String(callSeconds),
  ],
  {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'SILENT' },
  },
);
let output = '';
child.stdout.on('data', (d: Buffer) => (output += d.toString()));
// The load generator's CPU is read just before it exits (its own last line is printed by then).
let loadCpuSeconds = Number.NaN;
const loadCpuReader = setInterval(() => {
  const seconds = cpuSecondsOf(child.pid);
  if (!Number.isNaN(seconds)) loadCpuSeconds = seconds;
}, 1_000);
await new Promise((r) => child.on('exit', r));
clearInterval(loadCpuReader);
const loadSeconds = (performance.now() - started) / 1000;
const cores = (seconds: number) => Math.round((seconds / loadSeconds) * 100) / 100;
const cpuCores = {
  system: cores(cpuSecondsOf(process.pid) - cpuAtStart.system),
  standIns: cores(cpuSecondsOf(standIns.pid) - cpuAtStart.standIns),
  loadGenerator: cores(loadCpuSeconds),
};
const consumerLoop = system.webhookConsumer.thread?.performance.eventLoopUtilization(consumerLoopAtStart);
const consumerThreadBusy = consumerLoop ? Math.round(consumerLoop.utilization * 100) / 100 : null;
clearInterval(sampler);
lag.disable();
const load = JSON.parse(output.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;

// Let the pipeline drain: every emitted utterance stored and delivered, or no progress for 60 s.
let last = -1;
let stillSince = performance.now();
while (deliveredUnique < recognizer.emitted && performance.now() - stillSince < 60_000) {
  if (deliveredUnique !== last) {
    last = deliveredUnique;
    stillSince = performance.now();
  }
  await new Promise((r) => setTimeout(r, 500));
}
const end = await sample();
let stored = 0;
let startKey: Record<string, unknown> | undefined;
do {
  const page = await dynamoDbDocumentClient().send(
    // Messages only: the webhook's outcome items (no hourShard) share the table.
    new ScanCommand({
      TableName: env.MESSAGES_TABLE,
      Select: 'COUNT',
      FilterExpression: 'attribute_exists(hourShard)',
      ExclusiveStartKey: startKey,
    }),
  );
  stored += page.Count ?? 0;
  startKey = page.LastEvaluatedKey;
} while (startKey);

const steady = samples.filter((s) => s.atS >= callSeconds + 15);
const first = steady[0] ?? samples[0];
const lastSteady = steady.at(-1) ?? samples.at(-1);
const duplicated = delivered - deliveredUnique;
const lost = recognizer.emitted - deliveredUnique;
const lagMs = (nanos: number) => Math.max(0, Math.round((nanos / 1e6 - 1) * 10) / 10);
console.log(
  JSON.stringify({
    bench: 'soak',
    calls,
    minutes,
    callSeconds,
    load,
    emitted: recognizer.emitted,
    stored,
    deliveredUnique,
    deliveries: delivered,
    lost,
    duplicated,
    exactlyOnce: lost === 0 && duplicated === 0 && stored === recognizer.emitted,
    memory: {
      first,
      last: lastSteady,
      afterDrain: end,
      heapGrowthPct: first && lastSteady ? Math.round(((lastSteady.heapMb - first.heapMb) / first.heapMb) * 1000) / 10 : null,
    },
    fdGrowth: first && lastSteady ? lastSteady.fds - first.fds : null,
    lagP50Ms: lagMs(lag.percentile(50)),
    lagP99Ms: lagMs(lag.percentile(99)),
    lagMaxMs: lagMs(lag.max),
    cpuCores,
    consumerThreadBusy,
    liveSessionsAfter: end.live,
    goal: { calls: 1000, minutes: 10, lost: 0, duplicated: 0, heapGrowthPct: 10 },
    samples,
  }),
);
await system.stop();
standIns.kill('SIGTERM');
process.exit(0);
