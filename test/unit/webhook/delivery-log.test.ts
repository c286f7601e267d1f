import { describe, expect, it, vi } from 'vitest';
import type { DeliveryRecord } from '#core/domain/live-call.ts';
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
  it('records each outcome on its message, and settle() waits for every write', async () => {
    const written: Array<[string, string, DeliveryRecord]> = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const store = {
      recordDelivery: vi.fn(async (c: string, m: string, d: DeliveryRecord) => {
        await gate;
        written.push([c, m, d]);
        return true;
      }),
    };
    const log = deliveryLog(store, logger(), () => Date.parse('2026-12-06T10:00:00Z'));
    log.delivered(message('a'), { ok: true, status: 204, reason: 'ok', latencyMs: 12.34 });
    log.failed(message('b', 2), { ok: false, status: 503, reason: 'status 503', latencyMs: 5 }, 'retry');
    log.failed(message('c'), { ok: false, reason: 'timeout', latencyMs: 3000 }, 'dead-letter');
    log.dropped(message('d'), 99_000);
    let settled = false;
    const settling = log.settle!().then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    release();
    await settling;
    expect(written.map(([c, m, d]) => [c, m, d.outcome, d.status, d.reason, d.attempt])).toEqual([
      ['conv-1', 'a', 'delivered', 204, 'ok', 1],
      ['conv-1', 'b', 'failed', 503, 'status 503', 2],
      ['conv-1', 'c', 'failed', undefined, 'timeout', 1],
      ['conv-1', 'd', 'dropped', undefined, 'past deadline', 1],
    ]);
    expect(written[0]![2]).toMatchObject({ latencyMs: 12.3, at: '2026-12-06T10:00:00.000Z' });
  });

  it('a failed write is logged by name and never fails the batch', async () => {
    const log$ = logger();
    const log = deliveryLog(
      {
        recordDelivery: async () =>
          Promise.reject(Object.assign(new Error('secret-ish detail'), { name: 'ProvisionedThroughputExceededException' })),
      },
      log$,
    );
    log.delivered(message('a'), { ok: true, status: 200, reason: 'ok', latencyMs: 1 });
    await expect(log.settle!()).resolves.toBeUndefined();
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
