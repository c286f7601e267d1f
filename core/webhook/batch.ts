import type { SQSRecord } from 'aws-lambda';
import { eachLimited } from '../async/each-limited.ts';
import { CARRIED_ATTRIBUTES } from './dead-letter.ts';
import type { DeadLetter, DeadLetterSink } from './dead-letter.ts';
import type { DeliveryResult } from './deliver.ts';
import { parseRecord } from './queued-message.ts';
import type { QueuedMessage } from './queued-message.ts';
import type { DeliveryRecorder } from './recorder.ts';

/**
 * Delivery of one SQS batch (docs/api-contract.md §3.5).
 *
 * Failure handling — the decision the CDK stack relies on: every message that is not delivered (target
 * error, timeout, TLS failure, malformed record) is reported as a batch item failure, in every mode, and
 * the queue's redrive policy uses `maxReceiveCount = WEBHOOK_MAX_ATTEMPTS`. With the default of 1 SQS
 * never hands a failed message back to us: on its next receive it exceeds the count and moves to the DLQ,
 * which is the contract's "recorded and dropped, body kept in the dead-letter queue". To make that move
 * prompt, a message on its last attempt gets visibility 0 (when a visibility setter is wired); a message
 * that will be retried gets an exponential backoff as its visibility instead. Retries therefore never
 * wait inside the function and never hold back newer messages of the conversation (on a standard queue).
 *
 * When a dead-letter sink is wired (`WEBHOOK_DLQ_URL`), messages on their last attempt are sent to the DLQ
 * by us, with the failure reason as attributes (dead-letter.ts), and acknowledged; only those the DLQ
 * did not accept fall back to the redrive path above.
 *
 * Messages past the deadline are acknowledged without sending and counted: the contract drops them
 * rather than delivering late, and the utterance is still in `messages`. That also applies to a message
 * whose deadline passes between retries; only attempts exhausted within the deadline reach the DLQ.
 */

export interface VisibilityChange {
  itemIdentifier: string;
  receiptHandle: string;
  visibilityTimeoutS: number;
}

export interface BatchDeps {
  deliver(body: string): Promise<DeliveryResult>;
  recorder: DeliveryRecorder;
  deadlineMs: number;
  maxAttempts: number;
  retryBaseDelayMs: number;
  retryMaxDelayMs: number;
  /** Conversations delivered in parallel; messages of one conversation always go one after another. */
  concurrency: number;
  now?: () => number;
  /** Absent: failed messages become visible again after the queue's own visibility timeout. */
  setVisibility?: (changes: VisibilityChange[]) => Promise<void>;
  /** Absent: the queue's redrive policy moves dead letters, without the failure reason. */
  deadLetter?: DeadLetterSink;
}

export interface BatchOutcome {
  batchItemFailures: Array<{ itemIdentifier: string }>;
  delivered: number;
  failed: number;
  dropped: number;
  malformed: number;
}

const MAX_VISIBILITY_S = 43_200;

export async function processBatch(records: readonly SQSRecord[], deps: BatchDeps): Promise<BatchOutcome> {
  const now = deps.now ?? Date.now;
  const failed = new Set<string>();
  const visibility: VisibilityChange[] = [];
  const letters: DeadLetter[] = [];
  const outcome: BatchOutcome = { batchItemFailures: [], delivered: 0, failed: 0, dropped: 0, malformed: 0 };

  const byId = new Map(records.map((r) => [r.messageId, r]));
  const valid: QueuedMessage[] = [];
  for (const record of records) {
    const parsed = parseRecord(record);
    if (parsed.ok) {
      valid.push(parsed.message);
      continue;
    }
    deps.recorder.malformed(parsed);
    outcome.malformed++;
    failed.add(parsed.itemIdentifier);
    // It can never succeed: straight to the DLQ.
    visibility.push({ itemIdentifier: parsed.itemIdentifier, receiptHandle: parsed.receiptHandle, visibilityTimeoutS: 0 });
    letters.push(deadLetterOf(record, parsed.reason, undefined, now()));
  }

  // Oldest first: the order of deadline drops, and (stable) the per-conversation send order, since a
  // standard queue may hand a conversation's messages over in any order within a batch.
  const oldestFirst = valid
    .map((m, i) => ({ m, i }))
    .sort((a, b) => a.m.recordedAt - b.m.recordedAt || a.i - b.i)
    .map(({ m }) => m);

  const isExpired = (m: QueuedMessage): boolean => {
    const age = now() - m.recordedAt;
    if (age <= deps.deadlineMs) return false;
    deps.recorder.dropped(m, age);
    outcome.dropped++;
    return true;
  };

  const conversations = new Map<string, QueuedMessage[]>();
  for (const m of oldestFirst) {
    if (isExpired(m)) continue;
    const queue = conversations.get(m.conversationId);
    if (queue) queue.push(m);
    else conversations.set(m.conversationId, [m]);
  }

  const sendOne = async (m: QueuedMessage): Promise<void> => {
    // Checked again: a slow target may have aged it while earlier messages of its conversation were sent.
    if (isExpired(m)) return;
    let result: DeliveryResult;
    try {
      result = await deps.deliver(m.body);
    } catch {
      // deliver() reports failures as results; this guards the batch against a bug there.
      result = { ok: false, reason: 'internal error', latencyMs: 0 };
    }
    if (result.ok) {
      deps.recorder.delivered(m, result);
      outcome.delivered++;
      return;
    }
    const willRetry = m.receiveCount < deps.maxAttempts;
    deps.recorder.failed(m, result, willRetry ? 'retry' : 'dead-letter');
    outcome.failed++;
    failed.add(m.itemIdentifier);
    visibility.push({
      itemIdentifier: m.itemIdentifier,
      receiptHandle: m.receiptHandle,
      visibilityTimeoutS: willRetry ? backoffSeconds(m.receiveCount, deps) : 0,
    });
    if (!willRetry) letters.push(deadLetterOf(byId.get(m.itemIdentifier)!, result.reason, result.status, now()));
  };

  await eachLimited([...conversations.values()], deps.concurrency, async (group) => {
    for (const m of group) await sendOne(m);
  });

  let pending = visibility;
  if (letters.length > 0 && deps.deadLetter) {
    const accepted = await deps.deadLetter(letters);
    for (const id of accepted) failed.delete(id);
    pending = visibility.filter((v) => !accepted.has(v.itemIdentifier));
  }
  if (pending.length > 0 && deps.setVisibility) {
    try {
      await deps.setVisibility(pending);
    } catch {
      // Best effort: without it the queue's visibility timeout applies, the outcome is the same.
    }
  }
  outcome.batchItemFailures = records.filter((r) => failed.has(r.messageId)).map((r) => ({ itemIdentifier: r.messageId }));
  return outcome;
}

function deadLetterOf(record: SQSRecord, reason: string, status: number | undefined, failedAt: number): DeadLetter {
  const attributes: DeadLetter['attributes'] = {};
  for (const name of CARRIED_ATTRIBUTES) {
    const value = record.messageAttributes?.[name]?.stringValue;
    if (value) attributes[name] = value;
  }
  const attempts = Number.parseInt(record.attributes?.ApproximateReceiveCount ?? '1', 10);
  return {
    itemIdentifier: record.messageId,
    body: record.body,
    attributes,
    reason,
    ...(status !== undefined ? { status } : {}),
    failedAt,
    attempts: Number.isFinite(attempts) && attempts > 0 ? attempts : 1,
  };
}

/** Exponential backoff per receive, in whole seconds (SQS visibility granularity). */
export function backoffSeconds(receiveCount: number, deps: Pick<BatchDeps, 'retryBaseDelayMs' | 'retryMaxDelayMs'>): number {
  const ms = Math.min(deps.retryMaxDelayMs, deps.retryBaseDelayMs * 2 ** Math.max(0, receiveCount - 1));
  return Math.min(MAX_VISIBILITY_S, Math.ceil(ms / 1000));
}
