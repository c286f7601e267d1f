import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString, writeHeapSnapshot } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoDbDocumentClient } from '#core/aws/clients.ts';
import { DEV_AUDIOHOOK_API_KEY, DEV_AUDIOHOOK_CLIENT_SECRET } from '#gateway/audiohook/dev-credentials.ts';
import { DEV_API_ID, DEV_API_SECRET } from '#local/dev-credentials.ts';
import { startLocalSystem } from '#local/system.ts';
import { ScriptedRecognizer } from './support/scripted-recognizer.ts';
import { DeliveryCounter } from './support/soak-deliveries.ts';

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
  // A deployment sized for a thousand calls delivers more batches at once than the default 5
  // (docs/capacity.md); the run says which it used.
  WEBHOOK_MAX_CONCURRENT_BATCHES: process.env.WEBHOOK_MAX_CONCURRENT_BATCHES ?? '20',
  MAX_SESSIONS: String(calls * 2 + 100),
  // `POWERTOOLS_LOG_LEVEL=ERROR npm run bench -- soak` shows why something was lost or a start failed
  // (log lines on stdout before the result line; the main thread's logger is built at import, so the
  // level must come from the environment the bench starts with).
  POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'SILENT',
  POWERTOOLS_METRICS_DISABLED: 'true',
  AWS_ENDPOINT_URL: endpoints.dynamodb,
  AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
  AWS_ENDPOINT_URL_SQS: endpoints.fauxqs,
  AWS_ENDPOINT_URL_S3: endpoints.fauxqs,
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
});
const recognizer = new ScriptedRecognizer(3_000);
// Starts of one stream are at least 3 s apart, so each falls in a 3 s slot of its own.
const deliveries = new DeliveryCounter(callSeconds);
const system = await startLocalSystem({
  env,
  recognizer,
  scheduler: false,
  print: () => undefined,
  onTranscript: (body) => deliveries.record(body.streamId, body.autotranscribeResponse.start),
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
// SOAK_HEAP_SNAPSHOTS=DIR: the main thread's heap written after the ramp and before the load ends, to
// see what grew (each pauses the process for seconds, so the run's latencies are not comparable).
const snapshotDir = process.env.SOAK_HEAP_SNAPSHOTS;
if (snapshotDir) {
  for (const atS of [callSeconds + 20, minutes * 60 - 10])
    setTimeout(() => writeHeapSnapshot(`${snapshotDir}/soak-${atS}s.heapsnapshot`), atS * 1000).unref();
}
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
let deliveredUnique = await deliveries.unique();
while (deliveredUnique < recognizer.emitted && performance.now() - stillSince < 60_000) {
  if (deliveredUnique !== last) {
    last = deliveredUnique;
    stillSince = performance.now();
  }
  await new Promise((r) => setTimeout(r, 500));
  deliveredUnique = await deliveries.unique();
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

// Growth is measured under full load: from the first sample after the ramp to the last before the
// slots stop starting calls (after that, calls end and the heap shrinks with them).
const steady = samples.filter((s) => s.atS >= callSeconds + 15 && s.atS <= minutes * 60);
const first = steady[0] ?? samples[0];
const lastSteady = steady.at(-1) ?? samples.at(-1);
// A sample swings by several MB with the work in flight at that instant, so growth compares the mean
// heap of the first minute under full load with that of the last.
const meanHeap = (xs: typeof samples) => xs.reduce((sum, x) => sum + x.heapMb, 0) / xs.length;
const firstMinute = steady.slice(0, 4);
const lastMinute = steady.slice(-4);
const delivered = deliveries.delivered;
const duplicated = delivered - deliveredUnique;
const lost = recognizer.emitted - deliveredUnique;
const lagMs = (nanos: number) => Math.max(0, Math.round((nanos / 1e6 - 1) * 10) / 10);
console.log(
  JSON.stringify({
    bench: 'soak',
    calls,
    minutes,
    callSeconds,
    webhookBatches: Number(env.WEBHOOK_MAX_CONCURRENT_BATCHES),
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
      firstMinuteHeapMb: firstMinute.length > 0 ? Math.round(meanHeap(firstMinute) * 10) / 10 : null,
      lastMinuteHeapMb: lastMinute.length > 0 ? Math.round(meanHeap(lastMinute) * 10) / 10 : null,
      heapGrowthPct:
        steady.length >= 8 ? Math.round(((meanHeap(lastMinute) - meanHeap(firstMinute)) / meanHeap(firstMinute)) * 1000) / 10 : null,
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
await deliveries.close();
standIns.kill('SIGTERM');
process.exit(0);
