import { describe, expect, it } from 'vitest';
import { backoffSeconds, processBatch } from '#core/webhook/batch.ts';
import type { BatchDeps, VisibilityChange } from '#core/webhook/batch.ts';
import type { DeadLetter } from '#core/webhook/dead-letter.ts';
import type { DeliveryResult } from '#core/webhook/deliver.ts';
import { memoryRecorder, sqsRecord } from '#test/integration/webhook/support/servers.ts';

const NOW = 1_800_000_000_000;
const ok: DeliveryResult = { ok: true, status: 200, reason: 'ok', latencyMs: 1 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const startOf = (body: string): number => (JSON.parse(body) as { autotranscribeResponse: { start: number } }).autotranscribeResponse.start;
const convOf = (body: string): string => (JSON.parse(body) as { externalConversationId: string }).externalConversationId;

function deps(overrides: Partial<BatchDeps> = {}) {
  const recorder = memoryRecorder();
  const visibility: VisibilityChange[] = [];
  const d: BatchDeps = {
    deliver: async () => ok,
    recorder,
    deadlineMs: 60_000,
    maxAttempts: 1,
    retryBaseDelayMs: 1_000,
    retryMaxDelayMs: 30_000,
    concurrency: 4,
    now: () => NOW,
    setVisibility: async (changes) => {
      visibility.push(...changes);
    },
    ...overrides,
  };
  return { d, recorder, visibility };
}

describe('processBatch', () => {
  it('delivers every record and reports no failures', async () => {
    const sent: string[] = [];
    const { d, recorder } = deps({ deliver: async (b) => (sent.push(b), ok) });
    const records = [sqsRecord({ recordedAt: NOW - 10 }), sqsRecord({ conversationId: 'c2', recordedAt: NOW - 5 })];
    const out = await processBatch(records, d);
    expect(out).toEqual({ batchItemFailures: [], delivered: 2, failed: 0, dropped: 0, malformed: 0 });
    expect(sent).toEqual(records.map((r) => r.body));
    expect(recorder.events.map((e) => e.kind)).toEqual(['delivered', 'delivered']);
  });

  it('drops messages past the deadline oldest first, without sending or failing them', async () => {
    const sent: number[] = [];
    const { d, recorder } = deps({ deliver: async (b) => (sent.push(startOf(b)), ok) });
    const records = [
      sqsRecord({ start: 3, recordedAt: NOW - 61_000 }),
      sqsRecord({ start: 4, recordedAt: NOW - 1_000 }),
      sqsRecord({ start: 1, conversationId: 'c2', recordedAt: NOW - 90_000 }),
      sqsRecord({ start: 2, recordedAt: NOW - 60_000 }), // exactly at the deadline: still sent
    ];
    const out = await processBatch(records, d);
    expect(out).toMatchObject({ batchItemFailures: [], delivered: 2, dropped: 2 });
    expect(sent).toEqual([2, 4]);
    expect(recorder.events.filter((e) => e.kind === 'dropped').map((e) => e.itemIdentifier)).toEqual([
      records[2].messageId,
      records[0].messageId,
    ]);
  });

  it('drops a message that ages past the deadline while its conversation waits on a slow target', async () => {
    let clock = NOW;
    const { d } = deps({
      now: () => clock,
      deliver: async () => {
        clock += 60_000;
        return { ok: false, reason: 'timeout', latencyMs: 60_000 };
      },
    });
    const records = [sqsRecord({ start: 1, recordedAt: NOW - 1_000 }), sqsRecord({ start: 2, recordedAt: NOW - 500 })];
    const out = await processBatch(records, d);
    expect(out).toMatchObject({ failed: 1, dropped: 1, delivered: 0 });
    expect(out.batchItemFailures).toEqual([{ itemIdentifier: records[0].messageId }]);
  });

  it('sends one conversation in order and different conversations concurrently, within the bound', async () => {
    const log: string[] = [];
    let active = 0;
    let peak = 0;
    const { d } = deps({
      concurrency: 3,
      deliver: async (b) => {
        active++;
        peak = Math.max(peak, active);
        log.push(`${convOf(b)}:${startOf(b)}`);
        await sleep(5);
        active--;
        return ok;
      },
    });
    const records = [];
    for (let i = 0; i < 4; i++) {
      for (const c of ['a', 'b', 'c', 'd', 'e']) records.push(sqsRecord({ conversationId: c, start: i, recordedAt: NOW - 100 + i }));
    }
    // A standard queue may hand them over shuffled: recordedAt restores the order per conversation.
    records.reverse();
    const out = await processBatch(records, d);
    expect(out.delivered).toBe(20);
    expect(peak).toBe(3);
    for (const c of ['a', 'b', 'c', 'd', 'e']) {
      expect(log.filter((l) => l.startsWith(`${c}:`))).toEqual([0, 1, 2, 3].map((i) => `${c}:${i}`));
    }
  });

  it('keeps queue order for messages recorded in the same millisecond', async () => {
    const sent: number[] = [];
    const { d } = deps({ deliver: async (b) => (sent.push(startOf(b)), ok) });
    await processBatch(
      [1, 2, 3].map((start) => sqsRecord({ start, recordedAt: NOW - 1 })),
      d,
    );
    expect(sent).toEqual([1, 2, 3]);
  });

  it('records a malformed record as a failure and still delivers the rest', async () => {
    const { d, recorder, visibility } = deps();
    const bad = sqsRecord({}, '{"not":"a webhook body"}');
    const good = sqsRecord({ recordedAt: NOW });
    const out = await processBatch([bad, good], d);
    expect(out).toMatchObject({ malformed: 1, delivered: 1, batchItemFailures: [{ itemIdentifier: bad.messageId }] });
    expect(recorder.events[0]).toMatchObject({ kind: 'malformed', itemIdentifier: bad.messageId });
    expect(visibility).toEqual([{ itemIdentifier: bad.messageId, receiptHandle: bad.receiptHandle, visibilityTimeoutS: 0 }]);
  });

  it('default mode: a failure is its last attempt, reported for the DLQ with visibility 0', async () => {
    const { d, recorder, visibility } = deps({
      deliver: async (b) => (startOf(b) === 1 ? { ok: false, status: 500, reason: 'status 500', latencyMs: 2 } : ok),
    });
    const records = [sqsRecord({ start: 1, recordedAt: NOW }), sqsRecord({ start: 2, recordedAt: NOW })];
    const out = await processBatch(records, d);
    expect(out.batchItemFailures).toEqual([{ itemIdentifier: records[0].messageId }]);
    expect(recorder.events[0]).toMatchObject({ kind: 'failed', status: 500, reason: 'status 500', disposition: 'dead-letter' });
    expect(visibility).toEqual([{ itemIdentifier: records[0].messageId, receiptHandle: records[0].receiptHandle, visibilityTimeoutS: 0 }]);
  });

  it('retry mode: failures before the last attempt get an exponential backoff, the last one goes to the DLQ', async () => {
    const { d, recorder, visibility } = deps({
      maxAttempts: 3,
      deliver: async () => ({ ok: false, reason: 'ECONNREFUSED', latencyMs: 1 }),
    });
    const records = [1, 2, 3].map((receiveCount) => sqsRecord({ conversationId: `c${receiveCount}`, receiveCount, recordedAt: NOW }));
    const out = await processBatch(records, d);
    expect(out.batchItemFailures).toHaveLength(3);
    expect(recorder.events.map((e) => e.disposition)).toEqual(['retry', 'retry', 'dead-letter']);
    expect(visibility.map((v) => v.visibilityTimeoutS)).toEqual([1, 2, 0]);
  });

  it('dead-letters last attempts itself with the reason; what the DLQ refuses falls back to the redrive', async () => {
    const letters: DeadLetter[] = [];
    const { d, visibility } = deps({
      maxAttempts: 2,
      deliver: async () => ({ ok: false, status: 503, reason: 'status 503', latencyMs: 1 }),
      // Accepts everything but the malformed record.
      deadLetter: async (sent) => (
        letters.push(...sent),
        new Set(sent.filter((l) => !l.reason.startsWith('malformed')).map((l) => l.itemIdentifier))
      ),
    });
    const retrying = sqsRecord({ conversationId: 'c1', receiveCount: 1, recordedAt: NOW });
    const last = sqsRecord({ conversationId: 'c2', receiveCount: 2, recordedAt: NOW - 7 });
    const bad = sqsRecord({ conversationId: 'c3' }, '{"broken":');
    const out = await processBatch([retrying, last, bad], d);
    expect(letters).toEqual([
      {
        itemIdentifier: bad.messageId,
        body: '{"broken":',
        attributes: expect.objectContaining({ conversationId: 'c3' }),
        reason: 'malformed: body is not JSON',
        failedAt: NOW,
        attempts: 1,
      },
      {
        itemIdentifier: last.messageId,
        body: last.body,
        attributes: { conversationId: 'c2', messageId: last.messageAttributes.messageId!.stringValue, recordedAt: String(NOW - 7) },
        reason: 'status 503',
        status: 503,
        failedAt: NOW,
        attempts: 2,
      },
    ]);
    // Accepted by the DLQ: acknowledged. Retrying and refused: still failures, with their visibility.
    expect(out.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual([retrying.messageId, bad.messageId].sort());
    expect(out.failed).toBe(2);
    expect(visibility.map((v) => [v.itemIdentifier, v.visibilityTimeoutS])).toEqual([
      [bad.messageId, 0],
      [retrying.messageId, 1],
    ]);
  });

  it('survives a throwing deliverer and a failing visibility setter', async () => {
    const { d } = deps({
      deliver: async () => {
        throw new Error('bug');
      },
      setVisibility: async () => {
        throw new Error('sqs down');
      },
    });
    const record = sqsRecord({ recordedAt: NOW });
    const out = await processBatch([record], d);
    expect(out).toMatchObject({ failed: 1, batchItemFailures: [{ itemIdentifier: record.messageId }] });
  });

  it('handles an empty batch', async () => {
    const { d } = deps();
    expect(await processBatch([], d)).toEqual({ batchItemFailures: [], delivered: 0, failed: 0, dropped: 0, malformed: 0 });
  });
});

describe('backoffSeconds', () => {
  it('doubles per receive, rounds up to seconds and caps', () => {
    const cfg = { retryBaseDelayMs: 1_500, retryMaxDelayMs: 10_000 };
    expect([1, 2, 3, 4, 5].map((n) => backoffSeconds(n, cfg))).toEqual([2, 3, 6, 10, 10]);
    expect(backoffSeconds(1, { retryBaseDelayMs: 0, retryMaxDelayMs: 0 })).toBe(0);
  });
});
