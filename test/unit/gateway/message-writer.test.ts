import { describe, expect, it } from 'vitest';
import type { Utterance } from '#core/domain/utterance.ts';
import { MAX_BATCH_PUT } from '#core/stores/messages.ts';
import { MessageWriter } from '#gateway/utterances/message-writer.ts';
import { RecordingLogger } from '#test/support/recording-logger.ts';

/** The gateway's batched store of utterances: batch sizes, requests in flight, retries, bounds. */

const utterance = (i: number): Utterance => ({
  conversationId: `conv-${i % 7}`,
  externalConversationId: `CONV-${i % 7}`,
  messageId: `m-${String(i).padStart(6, '0')}`,
  streamId: 's',
  role: i % 2 ? 'customer' : 'agent',
  externalId: 'x',
  startMs: i * 3_000,
  endMs: i * 3_000 + 2_000,
  maskedText: 'hello',
  rawText: 'hello',
  redactionOutput: 'redacted',
  clientTimestamp: '2026-12-07T03:00:00.000Z',
  createdTimestamp: '2026-12-07T03:00:00.000Z',
  tenant: 't',
});

/** A store that answers after `delayMs`, leaving unprocessed (or failing) what `refuse` says. */
function store(options: { delayMs?: number; refuse?: (u: Utterance, call: number) => 'unprocessed' | 'throw' | undefined } = {}) {
  const requests: string[][] = [];
  const stored = new Map<string, number>();
  let inFlight = 0;
  let mostInFlight = 0;
  return {
    requests,
    stored,
    get mostInFlight() {
      return mostInFlight;
    },
    putUtterances: async (batch: readonly Utterance[]): Promise<Utterance[]> => {
      const call = requests.push(batch.map((u) => u.messageId));
      mostInFlight = Math.max(mostInFlight, ++inFlight);
      await new Promise((r) => setTimeout(r, options.delayMs ?? 1));
      inFlight--;
      if (batch.some((u) => options.refuse?.(u, call) === 'throw')) throw Object.assign(new Error('socket'), { name: 'TimeoutError' });
      const left = batch.filter((u) => options.refuse?.(u, call) === 'unprocessed');
      for (const u of batch) if (!left.includes(u)) stored.set(u.messageId, (stored.get(u.messageId) ?? 0) + 1);
      return left;
    },
  };
}

describe('MessageWriter', () => {
  it('stores a quiet call at once, one request per utterance', async () => {
    const s = store();
    const writer = new MessageWriter({ messages: s, logger: new RecordingLogger() });
    await writer.store(utterance(1));
    await writer.store(utterance(2));
    expect(s.requests).toEqual([['m-000001'], ['m-000002']]);
  });

  it('stores a burst in batches of at most 25 with at most 4 requests in flight, each utterance once', async () => {
    const s = store({ delayMs: 5 });
    const writer = new MessageWriter({ messages: s, logger: new RecordingLogger() });
    await Promise.all(Array.from({ length: 1_000 }, (_, i) => writer.store(utterance(i))));
    expect(s.stored.size).toBe(1_000);
    expect([...s.stored.values()].every((n) => n === 1)).toBe(true);
    expect(Math.max(...s.requests.map((r) => r.length))).toBe(MAX_BATCH_PUT);
    expect(s.requests.length).toBe(1_000 / MAX_BATCH_PUT);
    expect(s.mostInFlight).toBe(4);
    expect(writer.pending).toBe(0);
  });

  it('holds a part-full batch while a request is out, so a steady stream is stored in full batches', async () => {
    const s = store({ delayMs: 20 });
    const writer = new MessageWriter({ messages: s, logger: new RecordingLogger() });
    const stored: Array<Promise<void>> = [];
    // A steady stream, far slower than one request per utterance: 300 utterances, 10 every 5 ms.
    for (let i = 0; i < 300; i += 10) {
      for (let j = i; j < i + 10; j++) stored.push(writer.store(utterance(j)));
      await new Promise((r) => setTimeout(r, 5));
    }
    await Promise.all(stored);
    expect(s.stored.size).toBe(300);
    // The first goes alone; the rest wait for the request out and leave together, mostly full.
    expect(s.requests[0]).toHaveLength(10);
    expect(s.requests.length).toBeLessThanOrEqual(300 / MAX_BATCH_PUT + 3);
    expect(writer.pending).toBe(0);
  });

  it('lets a part-full batch wait for company a moment after the previous request, however fast the store', async () => {
    const s = store({ delayMs: 0 });
    const writer = new MessageWriter({ messages: s, logger: new RecordingLogger() });
    const stored: Array<Promise<void>> = [];
    const began = performance.now();
    // 2 utterances every 2 ms or so: a request each time would be 100.
    for (let i = 0; i < 200; i += 2) {
      stored.push(writer.store(utterance(i)), writer.store(utterance(i + 1)));
      await new Promise((r) => setTimeout(r, 2));
    }
    await Promise.all(stored);
    const elapsedMs = performance.now() - began;
    expect(s.stored.size).toBe(200);
    expect(s.requests[0]).toHaveLength(2);
    // At most one part-full request per 20 ms, however slowly this loop ran.
    expect(s.requests.length).toBeLessThanOrEqual(Math.ceil(elapsedMs / 20) + 2);
  });

  it('sends again what DynamoDB left unprocessed and what a failed request carried, and then settles', async () => {
    const s = store({
      refuse: (u, call) => {
        if (u.messageId === 'm-000003' && call <= 2) return 'unprocessed';
        if (u.messageId === 'm-000030' && call <= 3) return 'throw';
        return undefined;
      },
    });
    const log = new RecordingLogger();
    const writer = new MessageWriter({ messages: s, logger: log, retryBaseMs: 1 });
    await Promise.all(Array.from({ length: 40 }, (_, i) => writer.store(utterance(i))));
    expect(s.stored.size).toBe(40);
    expect([...s.stored.values()].every((n) => n === 1)).toBe(true);
    expect(writer.counters).toMatchObject({ stored: 40, failed: 0 });
    expect(log.records.filter((r) => r.message === 'utterances not stored yet; retrying').length).toBeGreaterThan(0);
  });

  it('gives utterances up after their last attempt: the store promise rejects with the error', async () => {
    const s = store({ refuse: () => 'throw' });
    const writer = new MessageWriter({ messages: s, logger: new RecordingLogger(), retryBaseMs: 1, maxAttempts: 3 });
    const outcomes = await Promise.allSettled([writer.store(utterance(0)), writer.store(utterance(1))]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    expect((outcomes[1] as PromiseRejectedResult).reason.name).toBe('TimeoutError');
    expect(s.requests).toEqual(Array.from({ length: 3 }, () => ['m-000000', 'm-000001']));
    expect(writer.counters).toMatchObject({ failed: 2, stored: 0 });
    expect(writer.pending).toBe(0);
  });

  it('refuses at once beyond its backlog, so memory stays bounded while the store is away', async () => {
    const s = store({ delayMs: 50 });
    const writer = new MessageWriter({ messages: s, logger: new RecordingLogger(), concurrency: 1, maxQueued: 10 });
    const first = writer.store(utterance(0));
    await new Promise((r) => setImmediate(r)); // the first request is in flight
    const queued = Array.from({ length: 10 }, (_, i) => writer.store(utterance(i + 1)));
    await expect(writer.store(utterance(99))).rejects.toThrow(/backlog full/);
    await Promise.all([first, ...queued]);
    expect(s.stored.size).toBe(11);
  });
});
