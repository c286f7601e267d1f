import { ulid } from 'ulid';
import { HOUR_SHARD_COUNT, hourOf, shardOf } from '#core/stores/hour-shard.ts';
import type { MessagesStore, StoredMessage } from '#core/stores/messages.ts';

let counter = 0;

/** A stored message at `createdTimestamp`, the way putUtterance would have written it. */
export function storedMessage(createdTimestamp: string, overrides: Partial<StoredMessage> = {}): StoredMessage {
  counter += 1;
  const messageId = overrides.messageId ?? ulid(Date.parse(createdTimestamp));
  const conversationId = overrides.conversationId ?? `conv-${counter % 3}`;
  return {
    conversationId,
    messageId,
    externalConversationId: conversationId.toUpperCase(),
    streamId: `stream-${counter % 2}`,
    role: counter % 2 ? 'customer' : 'agent',
    externalId: counter % 2 ? 'CUST-1' : 'AGENT-1',
    startMs: counter * 1000,
    endMs: counter * 1000 + 800,
    text: `utterance ${counter}, with "quotes"`,
    redactionOutput: 'redacted',
    clientTimestamp: createdTimestamp,
    createdTimestamp,
    tenant: 'acme',
    hourShard: `${hourOf(createdTimestamp)}#${String(shardOf(messageId)).padStart(2, '0')}`,
    expiresAt: Math.floor(Date.parse(createdTimestamp) / 1000) + 7 * 86_400,
    ...overrides,
  };
}

/** queryHour over a fixed list, grouped by the message's own hourShard and sorted by messageId as the index is. */
export function memorySource(messages: readonly StoredMessage[]): Pick<MessagesStore, 'queryHour'> & { queried: string[] } {
  const byShard = new Map<string, StoredMessage[]>();
  for (const m of messages) {
    const list = byShard.get(m.hourShard) ?? [];
    list.push(m);
    byShard.set(m.hourShard, list);
  }
  for (const list of byShard.values()) list.sort((a, b) => (a.messageId < b.messageId ? -1 : 1));
  const queried: string[] = [];
  return {
    queried,
    async *queryHour(hour, shard) {
      if (shard < 0 || shard >= HOUR_SHARD_COUNT) throw new RangeError('shard');
      const key = `${hour}#${String(shard).padStart(2, '0')}`;
      queried.push(key);
      for (const m of byShard.get(key) ?? []) yield m;
    },
  };
}
