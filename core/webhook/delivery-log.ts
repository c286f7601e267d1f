import type { DeliveryRecord } from '../domain/live-call.ts';
import type { AppLogger } from '../logger.ts';
import { MAX_BATCH_PUT, type DeliveryOutcome, type MessagesStore } from '../stores/messages.ts';
import type { DeliveryRecorder } from './recorder.ts';

/** Rounds per outcome (each a BatchWriteItem) before it is given up and logged. */
const MAX_ROUNDS = 3;
const RETRY_PAUSE_MS = 100;

/**
 * Records each utterance's webhook outcome in `messages` (docs/console.md), so the console answers "did
 * the customer get it?" per utterance whichever Lambda delivered it. Outcomes are written 25 to a
 * request while the batch is delivered (a full set at once, the rest by `settle()`, which the batch
 * awaits before it returns): one request per utterance was the largest share of the system's AWS
 * calls. What DynamoDB leaves unprocessed is sent again; a write that still fails is logged and never
 * fails the delivery itself.
 */
export function deliveryLog(
  messages: Pick<MessagesStore, 'recordDeliveries'>,
  logger: AppLogger,
  now: () => number = Date.now,
): DeliveryRecorder {
  let buffered: DeliveryOutcome[] = [];
  const pending = new Set<Promise<void>>();
  const writeBatch = async (batch: DeliveryOutcome[]) => {
    let left = batch;
    let error: string | undefined;
    for (let round = 1; round <= MAX_ROUNDS && left.length > 0; round++) {
      if (round > 1) await new Promise((r) => setTimeout(r, RETRY_PAUSE_MS * round));
      try {
        left = await messages.recordDeliveries(left);
      } catch (e) {
        error = (e as Error).name;
      }
    }
    for (const o of left) {
      logger.warn('delivery outcome not recorded for the console', { conversationId: o.conversationId, messageId: o.messageId, error });
    }
  };
  const send = (batch: DeliveryOutcome[]) => {
    const done: Promise<void> = writeBatch(batch).finally(() => pending.delete(done));
    pending.add(done);
  };
  const record = (conversationId: string, messageId: string, delivery: Omit<DeliveryRecord, 'at'>) => {
    buffered.push({ conversationId, messageId, delivery: { ...delivery, at: new Date(now()).toISOString() } });
    if (buffered.length >= MAX_BATCH_PUT) {
      send(buffered);
      buffered = [];
    }
  };
  const ms = (v: number) => Math.round(v * 10) / 10;
  return {
    delivered(m, r) {
      record(m.conversationId, m.messageId, {
        outcome: 'delivered',
        status: r.status,
        reason: r.reason,
        attempt: m.receiveCount,
        latencyMs: ms(r.latencyMs),
      });
    },
    failed(m, r) {
      record(m.conversationId, m.messageId, {
        outcome: 'failed',
        status: r.status,
        reason: r.reason,
        attempt: m.receiveCount,
        latencyMs: ms(r.latencyMs),
      });
    },
    dropped(m) {
      record(m.conversationId, m.messageId, { outcome: 'dropped', reason: 'past deadline', attempt: m.receiveCount });
    },
    malformed() {},
    flush() {},
    async settle() {
      if (buffered.length > 0) {
        send(buffered);
        buffered = [];
      }
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
