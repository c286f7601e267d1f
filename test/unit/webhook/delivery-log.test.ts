import { describe, expect, it, vi } from 'vitest';
import type { DeliveryOutcome } from '#core/stores/messages.ts';
import { allRecorders, deliveryLog } from '#core/webhook/delivery-log.ts';
import type { QueuedMessage } from '#core/webhook/queued-message.ts';
import type { DeliveryRecorder } from '#core/webhook/recorder.ts';

const message = (messageId: string, receiveCount = 1): QueuedMessage => ({
  itemIdentifier: `sqs-${messageId}`,
  receiptHandle: 'r',
  conversationId: 'conv-1',
  messageId,
  streamId: 's',
  recordedAt: 1,
  receiveCount,
  body: '{}',
});
const logger = () => ({ warn: vi.fn() }) as unknown as Parameters<typeof deliveryLog>[1] & { warn: ReturnType<typeof vi.fn> };

describe('delivery log (console)', () => {
  it('records each outcome, 25 to a request, and settle() waits for every write', async () => {
    const requests: DeliveryOutcome[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const store = {
      recordDeliveries: vi.fn(async (batch: readonly DeliveryOutcome[]) => {
        await gate;
        requests.push([...batch]);
        return [];
      }),
    };
    const log = deliveryLog(store, logger(), () => Date.parse('2026-12-06T10:00:00Z'));
    log.delivered(message('a'), { ok: true, status: 204, reason: 'ok', latencyMs: 12.34 });
    log.failed(message('b', 2), { ok: false, status: 503, reason: 'status 503', latencyMs: 5 }, 'retry');
    log.failed(message('c'), { ok: false, reason: 'timeout', latencyMs: 3000 }, 'dead-letter');
    log.dropped(message('d'), 99_000);
    for (let i = 0; i < 26; i++) log.delivered(message(`e${i}`), { ok: true, status: 200, reason: 'ok', latencyMs: 1 });
    // A full set goes at once; the rest waits for the end of the batch.
    expect(store.recordDeliveries).toHaveBeenCalledTimes(1);
    let settled = false;
    const settling = log.settle!().then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    release();
    await settling;
    expect(requests.map((r) => r.length)).toEqual([25, 5]);
    expect(
      requests[0]
        .slice(0, 4)
        .map(({ conversationId, messageId, delivery: d }) => [conversationId, messageId, d.outcome, d.status, d.reason, d.attempt]),
    ).toEqual([
      ['conv-1', 'a', 'delivered', 204, 'ok', 1],
      ['conv-1', 'b', 'failed', 503, 'status 503', 2],
      ['conv-1', 'c', 'failed', undefined, 'timeout', 1],
      ['conv-1', 'd', 'dropped', undefined, 'past deadline', 1],
    ]);
    expect(requests[0][0].delivery).toMatchObject({ latencyMs: 12.3, at: '2026-12-06T10:00:00.000Z' });
  });

  it('sends again what DynamoDB left unprocessed', async () => {
    const rounds: string[][] = [];
    const log = deliveryLog(
      {
        recordDeliveries: async (batch) => {
          rounds.push(batch.map((o) => o.messageId));
          return rounds.length === 1 ? batch.filter((o) => o.messageId === 'b') : [];
        },
      },
      logger(),
    );
    log.delivered(message('a'), { ok: true, status: 200, reason: 'ok', latencyMs: 1 });
    log.delivered(message('b'), { ok: true, status: 200, reason: 'ok', latencyMs: 1 });
    await log.settle!();
    expect(rounds).toEqual([['a', 'b'], ['b']]);
  });

  it('a failed write is logged by name and never fails the batch', async () => {
    const log$ = logger();
    let attempts = 0;
    const log = deliveryLog(
      {
        recordDeliveries: async () => {
          attempts++;
          return Promise.reject(Object.assign(new Error('secret-ish detail'), { name: 'ProvisionedThroughputExceededException' }));
        },
      },
      log$,
    );
    log.delivered(message('a'), { ok: true, status: 200, reason: 'ok', latencyMs: 1 });
    await expect(log.settle!()).resolves.toBeUndefined();
    expect(attempts).toBe(3);
    expect(log$.warn).toHaveBeenCalledWith('delivery outcome not recorded for the console', {
      conversationId: 'conv-1',
      messageId: 'a',
      error: 'ProvisionedThroughputExceededException',
    });
  });

  it('allRecorders passes every outcome to each, in order', async () => {
    const calls: string[] = [];
    const recorder = (name: string): DeliveryRecorder => ({
      delivered: () => calls.push(`${name}:delivered`),
      failed: (_m, _r, d) => calls.push(`${name}:failed:${d}`),
      dropped: () => calls.push(`${name}:dropped`),
      malformed: () => calls.push(`${name}:malformed`),
      flush: () => calls.push(`${name}:flush`),
    });
    const both = allRecorders(recorder('a'), recorder('b'));
    both.delivered(message('x'), { ok: true, reason: 'ok', latencyMs: 1 });
    both.failed(message('x'), { ok: false, reason: 'x', latencyMs: 1 }, 'dead-letter');
    both.dropped(message('x'), 1);
    both.malformed({ itemIdentifier: 'i', reason: 'r' });
    await both.settle!();
    both.flush();
    expect(calls).toEqual([
      'a:delivered',
      'b:delivered',
      'a:failed:dead-letter',
      'b:failed:dead-letter',
      'a:dropped',
      'b:dropped',
      'a:malformed',
      'b:malformed',
      'a:flush',
      'b:flush',
    ]);
  });
});
