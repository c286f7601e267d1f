import { describe, expect, it } from 'vitest';
import type { DeadLetterView } from '#core/dead-letters/dead-letter-queue.ts';
import { replayDeadLetters, replayPlan } from '#core/dead-letters/replay.ts';

let seq = 0;
function letter(o: Partial<DeadLetterView> = {}): DeadLetterView {
  seq++;
  return {
    sqsMessageId: `sqs-${seq}`,
    receiptHandle: `rh-${seq}`,
    replayable: true,
    conversationId: 'c1',
    messageId: `m-${seq}`,
    recordedAt: 1_000 + seq,
    startMs: seq * 100,
    reason: 'status 503',
    body: `body-${seq}`,
    ...o,
  };
}

describe('replayPlan', () => {
  it('groups per conversation, oldest first, sets duplicates and unreplayable records aside', () => {
    const late = letter({ recordedAt: 5_000 });
    const early = letter({ recordedAt: 10 });
    const sameTimeLater = letter({ recordedAt: 10, startMs: 9_999 });
    const copy = letter({ messageId: early.messageId!, body: early.body });
    const other = letter({ conversationId: 'c2' });
    const broken = letter({ replayable: false, reason: 'malformed: body is not JSON' });
    const plan = replayPlan([late, early, sameTimeLater, copy, other, broken]);
    expect(plan.conversations.get('c1')!.map((l) => l.sqsMessageId)).toEqual([early, sameTimeLater, late].map((l) => l.sqsMessageId));
    expect(plan.conversations.get('c2')).toEqual([other]);
    expect(plan.duplicates.get(early.sqsMessageId)).toEqual([copy]);
    expect(plan.unreplayable).toEqual([broken]);
  });
});

describe('replayDeadLetters', () => {
  it('deletes each delivered message and its copies before the next send, and counts what stays', async () => {
    const log: string[] = [];
    const a1 = letter();
    const a1copy = letter({ messageId: a1.messageId!, body: a1.body });
    const a2 = letter();
    const b1 = letter({ conversationId: 'c2' });
    const b2 = letter({ conversationId: 'c2' });
    const b3 = letter({ conversationId: 'c2' });
    const summary = await replayDeadLetters([a1, a1copy, a2, b1, b2, b3, letter({ replayable: false })], {
      deliver: async (body) => (
        log.push(`send ${body}`),
        body === b2.body
          ? { ok: false, status: 500, reason: 'status 500', latencyMs: 1 }
          : { ok: true, status: 200, reason: 'ok', latencyMs: 1 }
      ),
      remove: async (l) => void log.push(`delete ${l.sqsMessageId}`),
      concurrency: 1,
      dryRun: false,
    });
    expect(log).toEqual([
      `send ${a1.body}`,
      `delete ${a1.sqsMessageId}`,
      `delete ${a1copy.sqsMessageId}`,
      `send ${a2.body}`,
      `delete ${a2.sqsMessageId}`,
      `send ${b1.body}`,
      `delete ${b1.sqsMessageId}`,
      `send ${b2.body}`,
    ]);
    expect(summary).toMatchObject({
      total: 7,
      conversations: 2,
      replayed: 3,
      failed: 1,
      heldBack: 1,
      duplicates: 1,
      unreplayable: 1,
      undeleted: 0,
    });
    expect(summary.failures).toEqual([
      { sqsMessageId: b2.sqsMessageId, conversationId: 'c2', messageId: b2.messageId, reason: 'status 500' },
    ]);
  });

  it('a dry run sends and deletes nothing', async () => {
    const summary = await replayDeadLetters([letter(), letter()], {
      deliver: async () => expect.fail('sent in a dry run'),
      remove: async () => expect.fail('deleted in a dry run'),
      concurrency: 4,
      dryRun: true,
    });
    expect(summary).toMatchObject({ dryRun: true, replayed: 2, failed: 0 });
  });

  it('reports a delivered message the DLQ would not delete, since another replay would send it again', async () => {
    const l = letter();
    const summary = await replayDeadLetters([l], {
      deliver: async () => ({ ok: true, status: 200, reason: 'ok', latencyMs: 1 }),
      remove: async () => {
        throw Object.assign(new Error('denied'), { name: 'AccessDenied' });
      },
      concurrency: 1,
      dryRun: false,
    });
    expect(summary).toMatchObject({ replayed: 1, undeleted: 1 });
    expect(summary.failures[0]!.reason).toBe('delivered, but not deleted from the DLQ (AccessDenied)');
  });
});
