/**
 * Daily export throughput and memory. The emulators (dynalite, fauxqs S3) run in this process; the
 * export runs in a child process (this file bundled by esbuild, as a Lambda runs), so its peak RSS
 * (VmHWM) is the export's own and not the emulators' (fauxqs keeps every object in memory). One JSON
 * object per line.
 *
 *   npx tsx bench/export.bench.ts [--utterances 200000] [--synthetic 1000000] [--seed-concurrency 8]
 *                                 [--trace-memory] [--live-memory]
 *
 * Two runs:
 *   source=dynalite   N utterances batch-written into the emulator, then exported through the real
 *                     `byHour` queries. dynalite (a JavaScript DynamoDB) answers queries at a few
 *                     thousand items/s and shares this machine, so this run measures the emulator as
 *                     much as the export; below 1,000,000 its times are extrapolated and labelled so.
 *   source=synthetic  1,000,000 utterances generated inside the child in index order and exported through
 *                     the same code (merge, rows, CSV/JSONL, multipart upload to fauxqs): the export's
 *                     own cost at full size, without the emulator's query speed.
 * --utterances 0 or --synthetic 0 skips a run. --trace-memory prints the peak RSS after every hour to
 * stderr; --live-memory forces a GC before each memory sample (slower) to show what is actually live.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';

const GOAL_MS = 60_000;
const GOAL_RSS_MB = 256;
const DATE = '2026-11-24';
const SELF = fileURLToPath(import.meta.url);
const TEXTS = [
  'Hi, I am calling about my account, the PIN ends in ####, can you check the balance for me please?',
  'Sure, let me pull that up. I see two payments this month, one on the 3rd and one on the 17th.',
  'The agent said "it will be fixed by Friday", but nothing has changed since then.',
  'Okay. Is there anything else I can help you with today?',
  'Yes, I would also like to update my e-mail address to ####@####.com if that is possible.',
];

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

function emit(fields: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ bench: 'export', ...fields })}\n`);
}

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

/** Time of utterance `i` of `n`, spread evenly over the day. */
const timeOf = (i: number, n: number) => Date.parse(`${DATE}T00:00:00.000Z`) + Math.floor((i * 86_400_000) / n);

// ---------------------------------------------------------------- child: seed dynalite

async function seedChild(): Promise<void> {
  const { BatchWriteCommand } = await import('@aws-sdk/lib-dynamodb');
  const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
  const { createDocumentClient } = await import('#core/aws/clients.ts');
  const { hourShardOf } = await import('#core/stores/hour-shard.ts');
  const { monotonicFactory } = await import('ulid');
  const n = arg('count', 0);
  const concurrency = arg('seed-concurrency', 8);
  const table = process.env.MESSAGES_TABLE!;
  const doc = createDocumentClient(new DynamoDBClient({ maxAttempts: 10 }));
  const nextId = monotonicFactory();
  const inflight = new Set<Promise<void>>();

  async function write(items: Record<string, unknown>[]): Promise<void> {
    let requests = items.map((Item) => ({ PutRequest: { Item } }));
    while (requests.length > 0) {
      const result = await doc.send(new BatchWriteCommand({ RequestItems: { [table]: requests } }));
      requests = (result.UnprocessedItems?.[table] ?? []) as typeof requests;
    }
  }

  let batch: Record<string, unknown>[] = [];
  for (let i = 0; i < n; i++) {
    const ms = timeOf(i, n);
    const created = new Date(ms).toISOString();
    const messageId = nextId(ms);
    const call = i % 2_000;
    batch.push({
      conversationId: `bench-call-${call}`,
      messageId,
      externalConversationId: `BENCH-CALL-${call}`,
      streamId: `stream-${call}-${i % 2}`,
      role: i % 2 ? 'agent' : 'customer',
      externalId: i % 2 ? 'AGENT-1' : 'CUST-1',
      startMs: i * 10,
      endMs: i * 10 + 2_500,
      text: TEXTS[i % TEXTS.length],
      redactionOutput: 'redacted',
      clientTimestamp: created,
      createdTimestamp: created,
      tenant: 'bench',
      hourShard: hourShardOf(created, messageId),
      expiresAt: Math.floor(ms / 1000) + 7 * 86_400,
    });
    if (batch.length === 25 || i === n - 1) {
      const p = write(batch).finally(() => inflight.delete(p));
      inflight.add(p);
      batch = [];
      if (inflight.size >= concurrency) await Promise.race(inflight);
    }
  }
  await Promise.all(inflight);
  process.stdout.write(`${JSON.stringify({ seeded: n })}\n`);
}

// ---------------------------------------------------------------- child: export

/** Generated messages in the order and shape `queryHour` yields them; nothing is held beyond the item in hand. */
async function syntheticSource(n: number) {
  const { encodeTime } = await import('ulid');
  const { HOUR_SHARD_COUNT } = await import('#core/stores/hour-shard.ts');
  type StoredMessage = import('#core/stores/messages.ts').StoredMessage;
  const perShard = Math.ceil(n / 24 / HOUR_SHARD_COUNT);
  const crockford = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  const counter = (k: number) => {
    let s = '';
    for (let i = 0; i < 16; i++) {
      s = crockford[k % 32] + s;
      k = Math.floor(k / 32);
    }
    return s;
  };
  let produced = 0;
  return {
    async *queryHour(hour: string, shard: number): AsyncGenerator<StoredMessage> {
      const start = Date.parse(`${hour}:00:00.000Z`);
      for (let i = 0; i < perShard && produced < n; i++) {
        produced += 1;
        const ms = start + Math.floor((i * 3_600_000) / perShard);
        const created = new Date(ms).toISOString();
        const call = (i * HOUR_SHARD_COUNT + shard) % 2_000;
        yield {
          conversationId: `bench-call-${call}`,
          messageId: encodeTime(ms, 10) + counter(i * HOUR_SHARD_COUNT + shard),
          externalConversationId: `BENCH-CALL-${call}`,
          streamId: `stream-${call}-${i % 2}`,
          role: i % 2 ? 'agent' : 'customer',
          externalId: i % 2 ? 'AGENT-1' : 'CUST-1',
          startMs: i * 10,
          endMs: i * 10 + 2_500,
          text: TEXTS[(i + shard) % TEXTS.length],
          redactionOutput: 'redacted',
          clientTimestamp: created,
          createdTimestamp: created,
          tenant: 'bench',
          hourShard: `${hour}#${String(shard).padStart(2, '0')}`,
          expiresAt: Math.floor(ms / 1000) + 7 * 86_400,
        };
      }
    },
  };
}

/**
 * Peak RSS of this process since it started, in bytes: VmHWM, which belongs to the process image. Not
 * getrusage's maxrss, which Linux carries over from the parent across fork and exec, so a child of a
 * large emulator process would report the emulator's size.
 */
function peakRss(): number {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    if (kb) return Number(kb) * 1024;
  } catch {
    // Not Linux.
  }
  return process.resourceUsage().maxRSS * 1024;
}

async function exportChild(): Promise<void> {
  const { createExportRuntime } = await import('#core/daily-export/runtime.ts');
  const synthetic = arg('synthetic-count', 0);
  const traceMemory = process.argv.includes('--trace-memory');
  const liveMemory = process.argv.includes('--live-memory');
  const runtime = createExportRuntime(process.env, synthetic > 0 ? { messages: await syntheticSource(synthetic) } : {});
  global.gc?.();
  const baselineRss = process.memoryUsage().rss;
  // What the V8 heap and Buffers reach; with --live-memory a GC precedes each sample, leaving only live data.
  const peaks = { heapUsed: 0, heapTotal: 0, external: 0, arrayBuffers: 0 };
  const sampler = setInterval(() => {
    if (liveMemory) global.gc?.();
    const m = process.memoryUsage();
    for (const k of Object.keys(peaks) as (keyof typeof peaks)[]) peaks[k] = Math.max(peaks[k], m[k]);
  }, 50);
  const startedAt = performance.now();
  const cpuBefore = process.cpuUsage();
  const summary = await runtime.exportDay(DATE, {
    onProgress: (p) => {
      if (traceMemory && p.hourDone)
        process.stderr.write(
          `hr=${String(p.hour).padStart(2, '0')} rows=${p.rows} peakRssMb=${mb(peakRss())} rssMb=${mb(process.memoryUsage().rss)}\n`,
        );
    },
  });
  const ms = performance.now() - startedAt;
  const cpu = process.cpuUsage(cpuBefore);
  clearInterval(sampler);
  process.stdout.write(
    `${JSON.stringify({
      rows: summary.rows,
      files: summary.files.length,
      bytes: summary.files.reduce((sum, f) => sum + f.bytes, 0),
      ms: Math.round(ms),
      // CPU the export itself used: far below `ms` means it waited on the emulator.
      cpuMs: Math.round((cpu.user + cpu.system) / 1000),
      // Node, the SDK and the bundle loaded, before the export starts.
      baselineRssMb: mb(baselineRss),
      peakRssMb: mb(peakRss()),
      [liveMemory ? 'livePeaksMb' : 'memoryPeaksMb']: Object.fromEntries(Object.entries(peaks).map(([k, v]) => [k, mb(v)])),
    })}\n`,
  );
}

// ---------------------------------------------------------------- parent

/**
 * The children run this file bundled by esbuild, as a Lambda runs its bundle: under tsx the loader's
 * own thread and transpiler would add tens of MB to the RSS being measured.
 */
async function bundleSelf(): Promise<string> {
  const { build } = await import('esbuild');
  const outfile = join(dirname(SELF), '..', 'node_modules', '.cache', 'export-bench', 'child.mjs');
  await build({
    entryPoints: [SELF],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    mainFields: ['module', 'main'],
    // Only the parent uses the emulators; the children never load them.
    external: ['dynalite', 'fauxqs', 'vitest', 'esbuild'],
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    logLevel: 'error',
  });
  return outfile;
}

let childScript: Promise<string> | undefined;

async function runChild(mode: string, extraArgs: string[], env: NodeJS.ProcessEnv): Promise<Record<string, number>> {
  childScript ??= bundleSelf();
  const script = await childScript;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', script, mode, ...extraArgs], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('exit', (code) => {
      const last = out.trim().split('\n').at(-1) ?? '';
      if (code !== 0) return reject(new Error(`${mode} child exited with ${code}: ${last}`));
      resolve(JSON.parse(last) as Record<string, number>);
    });
  });
}

async function parent(): Promise<void> {
  const utterances = arg('utterances', 200_000);
  const synthetic = arg('synthetic', 1_000_000);
  const seedConcurrency = arg('seed-concurrency', 8);
  const passThrough = ['--trace-memory', '--live-memory'].filter((flag) => process.argv.includes(flag));
  const { startEmulators } = await import('#test/support/emulators.ts');
  const { ensureBucket } = await import('#core/daily-export/export-bucket.ts');
  const { createS3Client } = await import('#core/daily-export/s3-client.ts');

  const emulators = await startEmulators({ s3: true, prefix: 'bench' });
  try {
    const childEnv = (bucket: string): NodeJS.ProcessEnv => ({
      ...process.env,
      EXPORT_BUCKET: bucket,
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      AWS_SDK_JS_SUPPRESS_NODEJS_VERSION_WARNING: '1',
    });
    const s3 = createS3Client();
    emit({
      phase: 'environment',
      node: process.version,
      cpus: (await import('node:os')).cpus().length,
      emulators: emulators.external ? 'external' : 'in-process dynalite + fauxqs',
    });

    if (utterances > 0) {
      await ensureBucket(s3, 'bench-dynalite');
      const seedStart = performance.now();
      await runChild('--seed', ['--count', String(utterances), '--seed-concurrency', String(seedConcurrency)], childEnv('bench-dynalite'));
      const seedMs = performance.now() - seedStart;
      emit({ phase: 'seed', source: 'dynalite', utterances, ms: Math.round(seedMs), perSec: Math.round(utterances / (seedMs / 1000)) });

      const result = await runChild('--export', passThrough, childEnv('bench-dynalite'));
      emit({
        phase: 'export',
        source: 'dynalite',
        utterances,
        ...result,
        rowsPerSec: Math.round(result.rows / (result.ms / 1000)),
        complete: result.rows === utterances,
        goalMs: GOAL_MS,
        goalRssMb: GOAL_RSS_MB,
        withinGoal: result.ms <= GOAL_MS && result.peakRssMb <= GOAL_RSS_MB,
      });
      if (utterances < 1_000_000) {
        const factor = 1_000_000 / utterances;
        emit({
          phase: 'extrapolation',
          label: `EXTRAPOLATED from ${utterances} utterances: times × ${factor.toFixed(1)} (linear); peak RSS not extrapolated`,
          source: 'dynalite',
          utterances: 1_000_000,
          estimatedExportMs: Math.round(result.ms * factor),
          estimatedSeedMs: Math.round(seedMs * factor),
          goalMs: GOAL_MS,
        });
      }
    }

    if (synthetic > 0) {
      await ensureBucket(s3, 'bench-synthetic');
      const result = await runChild('--export', ['--synthetic-count', String(synthetic), ...passThrough], childEnv('bench-synthetic'));
      emit({
        phase: 'export',
        source: 'synthetic',
        utterances: synthetic,
        ...result,
        rowsPerSec: Math.round(result.rows / (result.ms / 1000)),
        complete: result.rows === synthetic,
        goalMs: GOAL_MS,
        goalRssMb: GOAL_RSS_MB,
        withinGoal: result.ms <= GOAL_MS && result.peakRssMb <= GOAL_RSS_MB,
      });
    }
    s3.destroy();
  } finally {
    await emulators.stop();
  }
}

const mode = process.argv[2];
if (mode === '--seed') await seedChild();
else if (mode === '--export') await exportChild();
else await parent();
