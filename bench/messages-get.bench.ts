import { randomUUID } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import { monotonicFactory } from 'ulid';
import { dynamoDbDocumentClient } from '#core/aws/clients.ts';
import { createMessagesStore } from '#core/stores/messages.ts';
import { handler } from '#lambdas/conversation-messages/handler.ts';
import { apiGatewayEvent, lambdaContext } from '#test/support/apigw-event.ts';
import { startEmulators } from '#test/support/emulators.ts';

/**
 * The after-call GET of a 1,000-message conversation through the real handler, against dynalite (or
 * the emulator AWS_ENDPOINT_URL names). Goal: p95 ≤ 100 ms. Prints one JSON object per line.
 */
const MESSAGES = 1_000;
const WARMUP = 20;
const RUNS = Number(process.env.BENCH_RUNS ?? 200);
const GOAL_P95_MS = 100;

const emulators = await startEmulators({ prefix: 'bench' });
try {
  process.env.API_ID = 'bench-app';
  process.env.API_SECRET = 'bench-secret';
  const store = createMessagesStore({ client: dynamoDbDocumentClient(), tableName: emulators.tables.messages, retentionDays: 7 });
  const guid = randomUUID();
  const nextUlid = monotonicFactory();
  const base = Date.now() - 2 * 3_600_000;

  const loadStarted = performance.now();
  for (let i = 0; i < MESSAGES; i += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, MESSAGES - i) }, (_, k) => {
        const n = i + k;
        const spoken = new Date(base + n * 7_000).toISOString();
        const created = new Date(base + n * 7_000 + 900).toISOString();
        const text = `utterance ${n}: I would like to check the balance of my account, the PIN is ####.`;
        return store.putUtterance({
          conversationId: guid,
          externalConversationId: guid,
          messageId: nextUlid(Date.parse(created)),
          streamId: n % 2 ? 'agent-stream' : 'customer-stream',
          role: n % 2 ? 'agent' : 'customer',
          externalId: n % 2 ? 'AGENT-1' : 'CUST-1',
          startMs: n * 7_000,
          endMs: n * 7_000 + 4_000,
          maskedText: text,
          rawText: text,
          redactionOutput: 'redacted',
          clientTimestamp: spoken,
          createdTimestamp: created,
          tenant: 'default',
        });
      }),
    );
  }
  emit({ phase: 'load', messages: MESSAGES, ms: round(performance.now() - loadStarted) });

  // The same read without the handler: the emulator's share of the GET.
  const storeTimings: number[] = [];
  for (let i = 0; i < WARMUP + RUNS; i++) {
    const started = performance.now();
    await store.listConversationMessages(guid, { tenant: 'default' });
    if (i >= WARMUP) storeTimings.push(performance.now() - started);
  }
  storeTimings.sort((a, b) => a - b);
  emit({
    phase: 'store-query',
    items: MESSAGES,
    runs: RUNS,
    p50Ms: round(percentile(storeTimings, 50)),
    p95Ms: round(percentile(storeTimings, 95)),
  });

  const timings: number[] = [];
  let bytes = 0;
  for (let i = 0; i < WARMUP + RUNS; i++) {
    const event = apiGatewayEvent({
      method: 'GET',
      path: '/conversation/v1/conversation/messages',
      query: { externalId: guid },
      headers: { 'asapp-api-id': 'bench-app', 'asapp-api-secret': 'bench-secret' },
    });
    const started = performance.now();
    const result = await handler(event, lambdaContext('conversation-messages'));
    const elapsed = performance.now() - started;
    if (result.statusCode !== 200) throw new Error(`GET answered ${result.statusCode}`);
    const items = (JSON.parse(result.body) as { items: unknown[] }).items.length;
    if (items !== MESSAGES) throw new Error(`GET returned ${items} items`);
    if (i >= WARMUP) timings.push(elapsed);
    bytes = Buffer.byteLength(result.body);
  }
  timings.sort((a, b) => a - b);
  const p95 = percentile(timings, 95);
  emit({
    phase: 'get',
    cpus: availableParallelism(),
    loadAverage1m: round(loadavg()[0]),
    emulator: emulators.external ? 'external' : 'dynalite',
    items: MESSAGES,
    responseBytes: bytes,
    runs: RUNS,
    p50Ms: round(percentile(timings, 50)),
    p95Ms: round(p95),
    p99Ms: round(percentile(timings, 99)),
    maxMs: round(timings.at(-1)!),
    meanMs: round(timings.reduce((a, b) => a + b, 0) / timings.length),
    goalP95Ms: GOAL_P95_MS,
    pass: p95 <= GOAL_P95_MS,
  });
} finally {
  await emulators.stop();
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

function emit(fields: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ bench: 'messages-get', ...fields })}\n`);
}
