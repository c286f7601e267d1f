import { eachLimited } from '../async/each-limited.ts';
import type { DeliveryResult } from '../webhook/deliver.ts';
import type { DeadLetterView } from './dead-letter-queue.ts';

/**
 * Replaying dead letters on purpose (`npm run dlq -- replay`). Unlike the webhook function there is no
 * delivery deadline: the operator asked for these old messages. Each conversation's messages are sent
 * one after another in recording order; the first failure stops that conversation (its later messages
 * are held back, so the target never sees them out of order) while other conversations go on. Every
 * delivered message is deleted from the DLQ at once, so an interrupted replay never sends it twice.
 * A duplicate (SQS delivers at least once, so the same utterance can be dead-lettered twice) is sent
 * once and deleted with it.
 */

export interface ReplayDeps {
  deliver(body: string): Promise<DeliveryResult>;
  /** Deletes a delivered (or duplicate) message from the DLQ. */
  remove(letter: DeadLetterView): Promise<void>;
  /** Conversations replayed in parallel. */
  concurrency: number;
  dryRun: boolean;
  onProgress?: (summary: ReplaySummary) => void;
}

interface ReplayFailure {
  sqsMessageId: string;
  conversationId?: string;
  messageId?: string;
  reason: string;
}

export interface ReplaySummary {
  dryRun: boolean;
  /** Messages considered. */
  total: number;
  conversations: number;
  /** Delivered and deleted (in a dry run: would be sent). */
  replayed: number;
  /** Sent and not accepted by the target; left in the DLQ. */
  failed: number;
  /** Not sent because an earlier message of their conversation failed; left in the DLQ. */
  heldBack: number;
  /** Copies of a message already replayed; deleted (in a dry run: would be). */
  duplicates: number;
  /** Not a webhook body; left in the DLQ (`npm run dlq -- show` says why). */
  unreplayable: number;
  /** Delivered, but the DLQ refused the delete: they would be sent again by another replay. */
  undeleted: number;
  failures: ReplayFailure[];
}

/** Per conversation, oldest first (recordedAt, then start time). */
export function replayPlan(letters: readonly DeadLetterView[]): {
  conversations: Map<string, DeadLetterView[]>;
  duplicates: Map<string, DeadLetterView[]>;
  unreplayable: DeadLetterView[];
} {
  const conversations = new Map<string, DeadLetterView[]>();
  const duplicates = new Map<string, DeadLetterView[]>();
  const unreplayable: DeadLetterView[] = [];
  const firstByMessageId = new Map<string, DeadLetterView>();
  for (const l of letters) {
    if (!l.replayable || !l.conversationId) {
      unreplayable.push(l);
      continue;
    }
    const key = l.messageId ?? l.sqsMessageId;
    const first = firstByMessageId.get(key);
    if (first) {
      duplicates.set(first.sqsMessageId, [...(duplicates.get(first.sqsMessageId) ?? []), l]);
      continue;
    }
    firstByMessageId.set(key, l);
    conversations.set(l.conversationId, [...(conversations.get(l.conversationId) ?? []), l]);
  }
  for (const group of conversations.values()) {
    group.sort((a, b) => (a.recordedAt ?? 0) - (b.recordedAt ?? 0) || (a.startMs ?? 0) - (b.startMs ?? 0));
  }
  return { conversations, duplicates, unreplayable };
}

export async function replayDeadLetters(letters: readonly DeadLetterView[], deps: ReplayDeps): Promise<ReplaySummary> {
  const plan = replayPlan(letters);
  const summary: ReplaySummary = {
    dryRun: deps.dryRun,
    total: letters.length,
    conversations: plan.conversations.size,
    replayed: 0,
    failed: 0,
    heldBack: 0,
    duplicates: 0,
    unreplayable: plan.unreplayable.length,
    undeleted: 0,
    failures: [],
  };
  if (deps.dryRun) {
    for (const group of plan.conversations.values()) summary.replayed += group.length;
    for (const copies of plan.duplicates.values()) summary.duplicates += copies.length;
    return summary;
  }

  const replayConversation = async (group: DeadLetterView[]): Promise<void> => {
    for (const [i, letter] of group.entries()) {
      const result = await deps.deliver(letter.body).catch((): DeliveryResult => ({ ok: false, reason: 'internal error', latencyMs: 0 }));
      if (!result.ok) {
        summary.failed++;
        summary.heldBack += group.length - i - 1;
        summary.failures.push({ ...idsOf(letter), reason: result.reason });
        deps.onProgress?.(summary);
        return;
      }
      summary.replayed++;
      // Deleted before the next send: a replay cut short here never delivers this message again.
      for (const [j, copy] of [letter, ...(plan.duplicates.get(letter.sqsMessageId) ?? [])].entries()) {
        try {
          await deps.remove(copy);
          if (j > 0) summary.duplicates++;
        } catch (err) {
          summary.undeleted++;
          summary.failures.push({ ...idsOf(copy), reason: `delivered, but not deleted from the DLQ (${(err as Error).name})` });
        }
      }
      deps.onProgress?.(summary);
    }
  };

  await eachLimited([...plan.conversations.values()], deps.concurrency, replayConversation);
  return summary;
}

function idsOf(l: DeadLetterView): Omit<ReplayFailure, 'reason'> {
  return {
    sqsMessageId: l.sqsMessageId,
    ...(l.conversationId ? { conversationId: l.conversationId } : {}),
    ...(l.messageId ? { messageId: l.messageId } : {}),
  };
}
