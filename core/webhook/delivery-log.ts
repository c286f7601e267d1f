import type { DeliveryRecord } from '../domain/live-call.ts';
import type { AppLogger } from '../logger.ts';
import type { MessagesStore } from '../stores/messages.ts';
import type { DeliveryRecorder } from './recorder.ts';

/**
 * Records each utterance's webhook outcome on its `messages` item (docs/console.md), so the console
 * answers "did the customer get it?" per utterance whichever Lambda delivered it. Writes run while the
 * batch is delivered and are awaited by `settle()` before the batch returns; a failed write is logged
 * and never fails the delivery itself.
 */
export function deliveryLog(
  messages: Pick<MessagesStore, 'recordDelivery'>,
  logger: AppLogger,
  now: () => number = Date.now,
): DeliveryRecorder {
  const pending = new Set<Promise<void>>();
  const write = (conversationId: string, messageId: string, record: Omit<DeliveryRecord, 'at'>) => {
    const done = messages
      .recordDelivery(conversationId, messageId, { ...record, at: new Date(now()).toISOString() })
      .then(
        () => undefined,
        (error: unknown) =>
          logger.warn('delivery outcome not recorded for the console', { conversationId, messageId, error: (error as Error).name }),
      )
      .finally(() => pending.delete(done));
    pending.add(done);
  };
  const ms = (v: number) => Math.round(v * 10) / 10;
  return {
    delivered(m, r) {
      write(m.conversationId, m.messageId, {
        outcome: 'delivered',
        status: r.status,
        reason: r.reason,
        attempt: m.receiveCount,
        latencyMs: ms(r.latencyMs),
      });
    },
    failed(m, r) {
      write(m.conversationId, m.messageId, {
        outcome: 'failed',
        status: r.status,
        reason: r.reason,
        attempt: m.receiveCount,
        latencyMs: ms(r.latencyMs),
      });
    },
    dropped(m) {
      write(m.conversationId, m.messageId, { outcome: 'dropped', reason: 'past deadline', attempt: m.receiveCount });
    },
    malformed() {},
    flush() {},
    async settle() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
  };
}

/** Every outcome to each recorder, in order. */
export function allRecorders(...recorders: DeliveryRecorder[]): DeliveryRecorder {
  return {
    delivered: (m, r) => recorders.forEach((x) => x.delivered(m, r)),
    failed: (m, r, d) => recorders.forEach((x) => x.failed(m, r, d)),
    dropped: (m, a) => recorders.forEach((x) => x.dropped(m, a)),
    malformed: (f) => recorders.forEach((x) => x.malformed(f)),
    flush: () => recorders.forEach((x) => x.flush()),
    settle: async () => {
      await Promise.all(recorders.map((x) => x.settle?.() ?? Promise.resolve()));
    },
  };
}
