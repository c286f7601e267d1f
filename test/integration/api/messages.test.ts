import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { monotonicFactory } from 'ulid';
import { dynamoDbDocumentClient } from '#core/aws/clients.ts';
import type { Utterance } from '#core/domain/utterance.ts';
import { HOUR_SHARD_COUNT, hourOf } from '#core/stores/hour-shard.ts';
import { createMessagesStore, type MessagesStore, type StoredMessage } from '#core/stores/messages.ts';
import { handler as messages } from '#lambdas/conversation-messages/handler.ts';
import { useEmulators } from '#test/support/emulators.ts';
import { MESSAGES_PATH, call, configureApiEnv, expectError } from './api-test-kit.ts';

const emulators = useEmulators({ prefix: 'messages' });
let store: MessagesStore;
const nextUlid = monotonicFactory();

beforeAll(() => {
  configureApiEnv();
  store = createMessagesStore({ client: dynamoDbDocumentClient(), tableName: emulators().tables.messages, retentionDays: 7 });
});

function utterance(conversationId: string, overrides: Partial<Utterance> = {}): Utterance {
  const created = overrides.createdTimestamp ?? new Date().toISOString();
  return {
    conversationId,
    externalConversationId: conversationId,
    messageId: nextUlid(Date.parse(created)),
    streamId: randomUUID(),
    role: 'customer',
    externalId: 'CUST-1',
    startMs: 0,
    endMs: 1000,
    maskedText: 'my PIN is ####',
    rawText: 'my PIN is 4821',
    redactionOutput: 'redacted',
    clientTimestamp: created,
    createdTimestamp: created,
    tenant: 'acme',
    ...overrides,
  };
}

const get = (externalId: string | undefined, extra: Partial<Parameters<typeof call>[1]> = {}) =>
  call(messages, { method: 'GET', path: MESSAGES_PATH, query: externalId === undefined ? undefined : { externalId }, ...extra });

describe('GET /conversation/v1/conversation/messages', () => {
  it('stores a batch of 25 utterances in one request (the gateway writer), each readable as putUtterance stores it', async () => {
    const guid = randomUUID();
    const batch = Array.from({ length: 25 }, (_, i) => utterance(guid, { clientTimestamp: new Date(Date.now() + i).toISOString() }));
    expect(await store.putUtterances(batch)).toEqual([]);
    const listed = await store.listConversationMessages(guid);
    expect(listed.map((m) => m.messageId)).toEqual(batch.map((u) => u.messageId));
    expect(listed[0].text).toBe('my PIN is ####');
    await expect(store.putUtterances([...batch, utterance(guid)])).rejects.toThrow(/at most 25/);
  });

  it('returns the items in the contract shape, keys in order', async () => {
    const guid = randomUUID();
    const stored = await store.putUtterance(
      utterance(guid, {
        role: 'agent',
        externalId: 'AGENT-7',
        clientTimestamp: '2026-11-24T13:07:52.980Z',
        createdTimestamp: new Date().toISOString(),
      }),
    );
    const result = await get(guid);
    expect(result.status).toBe(200);
    expect(result.raw.body).toBe(
      JSON.stringify({
        items: [
          {
            text: 'my PIN is ####',
            sender: { role: 'agent', externalId: 'AGENT-7' },
            messageId: stored.messageId,
            createdTimestamp: stored.createdTimestamp,
            clientTimestamp: '2026-11-24T13:07:52.980Z',
          },
        ],
      }),
    );
    expect(stored.messageId).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
  });

  it('orders by clientTimestamp, then messageId, whatever the order of storage', async () => {
    const guid = randomUUID();
    const base = Date.now() - 60_000;
    const at = (ms: number) => new Date(base + ms).toISOString();
    // Stored in messageId order; spoken in another order; two share a clientTimestamp.
    const a = await store.putUtterance(utterance(guid, { clientTimestamp: at(5_000), rawText: 'a', maskedText: 'a' }));
    const b = await store.putUtterance(utterance(guid, { clientTimestamp: at(1_000), rawText: 'b', maskedText: 'b' }));
    const c = await store.putUtterance(utterance(guid, { clientTimestamp: at(3_000), rawText: 'c', maskedText: 'c' }));
    const d = await store.putUtterance(utterance(guid, { clientTimestamp: at(3_000), rawText: 'd', maskedText: 'd' }));
    const result = await get(guid);
    expect(result.body.items.map((i: { messageId: string }) => i.messageId)).toEqual([b.messageId, c.messageId, d.messageId, a.messageId]);
  });

  it('at most 1,000 items: the earliest by clientTimestamp', async () => {
    const guid = randomUUID();
    const base = Date.now() - 3_600_000;
    const offsets = Array.from({ length: 1_005 }, (_, i) => i * 1_000);
    // Store in shuffled order so the cut cannot follow the sort key.
    for (let i = offsets.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [offsets[i], offsets[j]] = [offsets[j], offsets[i]];
    }
    for (let i = 0; i < offsets.length; i += 25) {
      await Promise.all(
        offsets
          .slice(i, i + 25)
          .map((o) => store.putUtterance(utterance(guid, { clientTimestamp: new Date(base + o).toISOString(), maskedText: `m${o}` }))),
      );
    }
    const result = await get(guid);
    expect(result.body.items).toHaveLength(1_000);
    const times = result.body.items.map((i: { clientTimestamp: string }) => Date.parse(i.clientTimestamp) - base);
    expect(times).toEqual(Array.from({ length: 1_000 }, (_, i) => i * 1_000));
  });

  it('filters out expired items that TTL has not deleted yet', async () => {
    const guid = randomUUID();
    const day = 86_400_000;
    await store.putUtterance(utterance(guid, { createdTimestamp: new Date(Date.now() - 8 * day).toISOString(), maskedText: 'expired' }));
    await store.putUtterance(
      utterance(guid, { createdTimestamp: new Date(Date.now() - 6 * day).toISOString(), maskedText: 'six days old' }),
    );
    await store.putUtterance(utterance(guid, { maskedText: 'fresh' }));
    const result = await get(guid);
    expect(result.body.items.map((i: { text: string }) => i.text).sort()).toEqual(['fresh', 'six days old']);
  });

  it('text follows the span redaction setting: masked, raw, masked', async () => {
    const guid = randomUUID();
    const base = Date.now() - 10_000;
    const spoken = (ms: number) => new Date(base + ms).toISOString();
    await store.putUtterance(utterance(guid, { redactionOutput: 'redacted', clientTimestamp: spoken(1) }));
    await store.putUtterance(utterance(guid, { redactionOutput: 'unredacted', clientTimestamp: spoken(2) }));
    await store.putUtterance(utterance(guid, { redactionOutput: 'redacted_and_unredacted', clientTimestamp: spoken(3) }));
    const result = await get(guid);
    expect(result.body.items.map((i: { text: string }) => i.text)).toEqual(['my PIN is ####', 'my PIN is 4821', 'my PIN is ####']);
  });

  it('never stores raw text unless the span is unredacted', async () => {
    const guid = randomUUID();
    const masked = await store.putUtterance(utterance(guid, { redactionOutput: 'redacted_and_unredacted' }));
    expect(JSON.stringify(masked)).not.toContain('4821');
  });

  it('externalId matches case-insensitively; unknown → 200 {"items":[]}', async () => {
    const guid = randomUUID();
    await store.putUtterance(utterance(guid));
    expect((await get(guid.toUpperCase())).body.items).toHaveLength(1);
    const unknown = await get(randomUUID());
    expect(unknown.status).toBe(200);
    expect(unknown.raw.body).toBe('{"items":[]}');
  });

  it('accepts a JSON body when the query parameter is absent; the query wins otherwise', async () => {
    const guid = randomUUID();
    await store.putUtterance(utterance(guid));
    expect((await get(undefined, { body: { externalId: guid } })).body.items).toHaveLength(1);
    expect((await get(guid, { body: { externalId: randomUUID() } })).body.items).toHaveLength(1);
    expect((await get(guid, { body: 'not json at all' })).body.items).toHaveLength(1);
    expect((await get(guid, { path: `${MESSAGES_PATH}/` })).body.items).toHaveLength(1);
  });

  it('sender.externalId is null when none was given; only the caller tenant sees the items', async () => {
    const guid = randomUUID();
    await store.putUtterance(utterance(guid, { externalId: '' }));
    await store.putUtterance(utterance(guid, { tenant: 'someone-else' }));
    const result = await get(guid);
    expect(result.body.items).toHaveLength(1);
    expect(result.body.items[0].sender).toEqual({ role: 'customer', externalId: null });
  });

  it('400-01 without externalId', async () => {
    expectError(await get(undefined), 400, '400-01');
  });
});

describe('messages store: hour index for the export', () => {
  it('every message of an hour is found in exactly one of its 16 shards', async () => {
    const hour = '2026-11-24T13';
    const recent = new Date(Date.now() - 60_000).toISOString();
    const written: StoredMessage[] = [];
    for (let i = 0; i < 40; i++) {
      const created = `${hour}:${String(i).padStart(2, '0')}:00.000Z`;
      written.push(await store.putUtterance(utterance(randomUUID(), { createdTimestamp: created, clientTimestamp: created })));
    }
    await store.putUtterance(utterance(randomUUID(), { createdTimestamp: recent, clientTimestamp: recent }));
    const found: StoredMessage[] = [];
    for (let shard = 0; shard < HOUR_SHARD_COUNT; shard++) {
      for await (const m of store.queryHour(hour, shard)) found.push(m);
    }
    expect(found.map((m) => m.messageId).sort()).toEqual(written.map((m) => m.messageId).sort());
    expect(new Set(found.map((m) => m.hourShard)).size).toBeGreaterThan(4);
    expect(found.every((m) => hourOf(m.createdTimestamp) === hour)).toBe(true);
    expect(found[0]).toMatchObject({ text: 'my PIN is ####', tenant: 'acme', redactionOutput: 'redacted' });
  });
});

describe('messages store: webhook outcomes (console)', () => {
  const outcome = (conversationId: string, messageId: string, status: number) => ({
    conversationId,
    messageId,
    delivery: { outcome: 'delivered' as const, status, reason: 'ok', attempt: 1, latencyMs: 3, at: new Date().toISOString() },
  });

  it('records 25 outcomes in one request; a cursor read joins each to its message, the GET and the export never see them', async () => {
    const guid = randomUUID();
    const batch = Array.from({ length: 25 }, (_, i) => utterance(guid, { clientTimestamp: new Date(Date.now() + i).toISOString() }));
    await store.putUtterances(batch);
    expect(await store.recordDeliveries(batch.map((u) => outcome(guid.toUpperCase(), u.messageId, 500)))).toEqual([]);
    // A later outcome replaces the earlier one; an outcome of a message no longer stored joins nothing.
    expect(await store.recordDeliveries([outcome(guid, batch[3].messageId, 204), outcome(guid, nextUlid(), 204)])).toEqual([]);
    await expect(store.recordDeliveries(batch.map((u) => outcome(guid, u.messageId, 1)).concat(outcome(guid, 'x', 1)))).rejects.toThrow(
      /at most 25/,
    );

    const all = await store.listAfter(guid, { limit: 100 });
    expect(all.map((m) => m.messageId)).toEqual(batch.map((u) => u.messageId));
    expect(all.map((m) => m.delivery?.status)).toEqual(batch.map((_, i) => (i === 3 ? 204 : 500)));
    expect(all[0]).toMatchObject({ text: 'my PIN is ####', role: 'customer' });
    // A page ends on a message with its outcome joined; the next one starts after it.
    const first = await store.listAfter(guid, { limit: 10 });
    expect(first.map((m) => m.messageId)).toEqual(batch.slice(0, 10).map((u) => u.messageId));
    expect(first.every((m) => m.delivery?.status === 500 || m.messageId === batch[3].messageId)).toBe(true);
    const next = await store.listAfter(guid, { after: first.at(-1)!.messageId, limit: 10 });
    expect(next.map((m) => m.messageId)).toEqual(batch.slice(10, 20).map((u) => u.messageId));
    expect(next.every((m) => m.delivery?.status === 500)).toBe(true);

    expect((await store.listConversationMessages(guid)).map((m) => m.messageId)).toEqual(batch.map((u) => u.messageId));
    const hour = hourOf(batch[0].createdTimestamp);
    const exported: string[] = [];
    for (let shard = 0; shard < HOUR_SHARD_COUNT; shard++) for await (const m of store.queryHour(hour, shard)) exported.push(m.messageId);
    expect(exported.filter((id) => id.includes('#'))).toEqual([]);
  });
});
