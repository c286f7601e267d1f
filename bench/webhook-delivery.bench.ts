/**
 * Webhook delivery throughput: SQS batches through the real batch function (parse, validate, deadline,
 * per-conversation ordering, keep-alive POST, recording) to a local keep-alive receiver, next to a bare
 * `http.request` keep-alive loop against the same receiver in the same run. One JSON object per line.
 *
 *   npx tsx bench/webhook-delivery.bench.ts [--messages 20000]
 */
import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import type { SQSRecord } from 'aws-lambda';

// Before the modules that read them are loaded: no log lines, no EMF output mixed into the JSON lines.
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';

const { parseWebhookConfig } = await import('#core/webhook/config.ts');
const { createWebhookDelivery } = await import('#core/webhook/service.ts');
const { createRecorder } = await import('#core/webhook/recorder.ts');
const { createTestPki } = await import('#test/integration/webhook/support/certs.ts');
type DeliveryRecorder = import('#core/webhook/recorder.ts').DeliveryRecorder;

const argIndex = process.argv.indexOf('--messages');
const MESSAGES = argIndex > 0 ? Number(process.argv[argIndex + 1]) : 20_000;
const GOAL_PER_SEC = 2_000;

function emit(fields: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ bench: 'webhook-delivery', ...fields })}\n`);
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] * 1000) / 1000;
}

/**
 * The receiver runs in a worker thread so it does not share the client's event loop: in one thread the
 * two would halve each other's throughput and the figure would measure the bench, not the client.
 */
const RECEIVER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const https = require('node:https');
const listener = (req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/json', 'content-length': '2' }).end('{}'));
};
const server = workerData.tls ? https.createServer(workerData.tls, listener) : http.createServer(listener);
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
parentPort.on('message', () => { server.closeAllConnections(); server.close(() => process.exit(0)); });
`;

async function startReceiver(tls?: https.ServerOptions): Promise<{ url: string; close: () => Promise<void> }> {
  const worker = new Worker(RECEIVER_SOURCE, { eval: true, workerData: { tls } });
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return {
    url: `${tls ? 'https://localhost' : 'http://127.0.0.1'}:${port}/hook`,
    close: async () => {
      const exited = new Promise((r) => worker.once('exit', r));
      worker.postMessage('close');
      await exited;
    },
  };
}

const BODY = JSON.stringify({
  type: 'transcript',
  externalConversationId: '8c259fea-8764-4a92-adc4-73572e9cf016',
  streamId: '3f9d2c1e-8b7a-4c55-9e21-6a0d4b7f2c93',
  sender: { externalId: 'TT9833237', role: 'customer' },
  autotranscribeResponse: {
    message: 'transcript',
    start: 400,
    end: 3968,
    utterance: [{ text: 'Hi, my account PIN is ####, can you check my balance?' }],
  },
});

let seq = 0;
function record(conversationId: string, now: number): SQSRecord {
  seq++;
  const attr = (stringValue: string, dataType = 'String') => ({ stringValue, dataType, stringListValues: [], binaryListValues: [] });
  return {
    messageId: `m-${seq}`,
    receiptHandle: `rh-${seq}`,
    body: BODY.replace('8c259fea-8764-4a92-adc4-73572e9cf016', conversationId),
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: String(now),
      SenderId: 'bench',
      ApproximateFirstReceiveTimestamp: String(now),
    },
    messageAttributes: {
      conversationId: attr(conversationId),
      messageId: attr(`01BENCH${String(seq).padStart(19, '0')}`),
      recordedAt: attr(String(now), 'Number'),
    },
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:utterances',
    awsRegion: 'us-east-1',
  };
}

/** Bare keep-alive client: the ceiling the batch function is measured against. */
async function bareLoop(url: string, agent: http.Agent, total: number, concurrency: number): Promise<number[]> {
  const target = new URL(url);
  const transport = target.protocol === 'https:' ? https : http;
  const latencies: number[] = [];
  let issued = 0;
  const worker = async () => {
    while (issued < total) {
      issued++;
      const t0 = performance.now();
      await new Promise<void>((resolve, reject) => {
        const req = transport.request(
          target,
          { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(BODY) } },
          (res) => {
            res.resume();
            res.on('end', () => resolve());
          },
        );
        req.on('error', reject);
        req.end(BODY);
      });
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return latencies;
}

function latencyRecorder(inner: DeliveryRecorder, sink: number[]): DeliveryRecorder {
  return {
    ...inner,
    delivered: (m, r) => {
      sink.push(r.latencyMs);
      inner.delivered(m, r);
    },
  };
}

async function batchRun(
  env: Record<string, string>,
  total: number,
  batchSize: number,
  conversationsPerBatch: number,
): Promise<{ elapsedMs: number; latencies: number[]; failed: number }> {
  const latencies: number[] = [];
  const delivery = createWebhookDelivery(parseWebhookConfig(env), {
    recorder: latencyRecorder(createRecorder(), latencies),
    setVisibility: null,
  });
  let failed = 0;
  const runBatches = async (count: number) => {
    for (let sent = 0; sent < count; sent += batchSize) {
      const now = Date.now();
      const records = Array.from({ length: Math.min(batchSize, count - sent) }, (_, i) => record(`conv-${i % conversationsPerBatch}`, now));
      const out = await delivery.handle(records);
      failed += out.failed + out.malformed + out.dropped;
    }
  };
  await runBatches(Math.min(1_000, total)); // warm-up: JIT, connection pool
  latencies.length = 0;
  failed = 0;
  const t0 = performance.now();
  await runBatches(total);
  const elapsedMs = performance.now() - t0;
  delivery.close();
  return { elapsedMs, latencies, failed };
}

function report(name: string, extra: Record<string, unknown>, total: number, elapsedMs: number, latencies: number[]): void {
  const sorted = [...latencies].sort((a, b) => a - b);
  const perSec = Math.round((total / elapsedMs) * 1000);
  emit({
    case: name,
    ...extra,
    messages: total,
    elapsedMs: Math.round(elapsedMs),
    deliveriesPerSec: perSec,
    latencyP50Ms: percentile(sorted, 50),
    latencyP99Ms: percentile(sorted, 99),
    ...(name.startsWith('batch') ? { goalPerSec: GOAL_PER_SEC, meetsGoal: perSec >= GOAL_PER_SEC } : {}),
  });
}

const pki = createTestPki();
try {
  emit({ case: 'environment', node: process.version, platform: `${process.platform}-${process.arch}`, messages: MESSAGES });
  for (const tls of [false, true]) {
    const receiver = await startReceiver(tls ? { cert: pki.server.cert, key: pki.server.key } : undefined);
    const protocol = tls ? 'https' : 'http';
    const env: Record<string, string> = tls
      ? { WEBHOOK_URL: receiver.url, WEBHOOK_AUTH_MODE: 'custom-ca', WEBHOOK_CA_PEM: pki.serverCa.cert }
      : { WEBHOOK_URL: receiver.url };

    for (const concurrency of [1, 10]) {
      const agent = tls
        ? new https.Agent({ keepAlive: true, ca: pki.serverCa.cert, minVersion: 'TLSv1.2' })
        : new http.Agent({ keepAlive: true });
      await bareLoop(receiver.url, agent, Math.min(1_000, MESSAGES), concurrency);
      const t0 = performance.now();
      const latencies = await bareLoop(receiver.url, agent, MESSAGES, concurrency);
      report('bare-http-request-loop', { protocol, concurrency }, MESSAGES, performance.now() - t0, latencies);
      agent.destroy();
    }

    // Lambda's default batch of 10: one conversation (fully sequential) and ten (fully parallel).
    for (const [batchSize, conversations] of [
      [10, 1],
      [10, 10],
      [100, 25],
    ] as const) {
      const { elapsedMs, latencies, failed } = await batchRun(
        { ...env, WEBHOOK_PARALLEL_CONVERSATIONS: '16' },
        MESSAGES,
        batchSize,
        conversations,
      );
      report(
        'batch-function',
        { protocol, batchSize, conversationsPerBatch: conversations, concurrency: 16, failed },
        MESSAGES,
        elapsedMs,
        latencies,
      );
    }
    await receiver.close();
  }
} finally {
  pki.cleanup();
}
