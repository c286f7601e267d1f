import { BatchWriteCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { DeliveryRecord } from '../domain/live-call.ts';
import type { Role } from '../domain/participant.ts';
import type { RedactionOutput } from '../domain/transcription.ts';
import { storedText, type Utterance } from '../domain/utterance.ts';
import { conversationKey } from './conversation-key.ts';
import { hourShardKey, hourShardOf } from './hour-shard.ts';
import { BY_HOUR_INDEX } from './tables.ts';

/** One item of the `messages` table (docs/data-model.md). Never holds text the span's setting keeps private. */
export interface StoredMessage {
  conversationId: string;
  messageId: string;
  externalConversationId: string;
  streamId: string;
  role: Role;
  externalId: string;
  startMs: number;
  endMs: number;
  text: string;
  redactionOutput: RedactionOutput;
  clientTimestamp: string;
  createdTimestamp: string;
  tenant: string;
  hourShard: string;
  /** TTL, epoch seconds. */
  expiresAt: number;
  /**
   * The webhook Lambda's latest outcome for this utterance (console); absent until one is known. Stored
   * on the message's outcome item (recordDeliveries) and joined to the message when read (listAfter).
   */
  delivery?: DeliveryRecord;
}

/** What the console shows of a stored message: everything but the export's bookkeeping. */
type ConsoleMessage = Omit<StoredMessage, 'hourShard' | 'expiresAt' | 'tenant' | 'conversationId'>;

/** What the after-call GET needs of a stored message. */
type ListedMessage = Pick<StoredMessage, 'text' | 'role' | 'externalId' | 'messageId' | 'createdTimestamp' | 'clientTimestamp'>;

interface ListOptions {
  /** Default and maximum of the after-call GET: 1,000. */
  limit?: number;
  /** Only this tenant's messages (items without a tenant are not filtered out). */
  tenant?: string;
}

export interface MessagesStore {
  /** Stores one utterance (idempotent on `messageId`); returns the item written. */
  putUtterance(utterance: Utterance): Promise<StoredMessage>;
  /**
   * Stores up to {@link MAX_BATCH_PUT} utterances of distinct `messageId` in one request (idempotent
   * as above); returns those DynamoDB left unprocessed (throttled), to be sent again.
   */
  putUtterances(utterances: readonly Utterance[]): Promise<Utterance[]>;
  /** The earliest unexpired messages of a call, ordered by `clientTimestamp` then `messageId`. */
  listConversationMessages(conversationId: string, options?: ListOptions): Promise<ListedMessage[]>;
  /** Every message recorded in one UTC hour (`YYYY-MM-DDTHH`) and shard (0–15), for the export; expired ones included. */
  queryHour(hour: string, shard: number): AsyncIterable<StoredMessage>;
  /**
   * A call's unexpired messages with `messageId` greater than `after` (all when absent), in `messageId`
   * (recording) order, at most `limit`. The console's cursor read.
   */
  listAfter(conversationId: string, options: { after?: string; limit: number; tenant?: string }): Promise<ConsoleMessage[]>;
  /**
   * Records the webhook outcomes of up to {@link MAX_BATCH_PUT} messages in one request, each as its
   * message's outcome item (replacing an earlier outcome); returns those DynamoDB left unprocessed.
   */
  recordDeliveries(outcomes: readonly DeliveryOutcome[]): Promise<DeliveryOutcome[]>;
}

/** One message's webhook outcome, as the webhook Lambda records it. */
export interface DeliveryOutcome {
  conversationId: string;
  messageId: string;
  delivery: DeliveryRecord;
}

/**
 * The sort key of a message's outcome item is its `messageId` and this suffix: the item sorts right
 * after its message (`#` is below every character of a ULID), so a cursor read meets the two together,
 * and it has no `hourShard`, so the export's index never sees it. One UpdateItem per utterance on the
 * message itself was a request per utterance, the largest share of the system's AWS calls at a
 * thousand calls (soak); outcome items are written 25 to a BatchWriteItem.
 */
const DELIVERY_SUFFIX = '#delivery';
const isDeliveryItem = (messageId: string) => messageId.endsWith(DELIVERY_SUFFIX);

export interface MessagesStoreOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
  retentionDays: number;
  now?: () => number;
}

const MESSAGES_LIMIT = 1000;
const DAY_SECONDS = 86_400;
const LISTED: readonly (keyof StoredMessage)[] = [
  'text',
  'role',
  'externalId',
  'messageId',
  'createdTimestamp',
  'clientTimestamp',
  'tenant',
];
const CONSOLE_FIELDS: readonly (keyof StoredMessage)[] = [
  'messageId',
  'externalConversationId',
  'streamId',
  'role',
  'externalId',
  'startMs',
  'endMs',
  'text',
  'redactionOutput',
  'clientTimestamp',
  'createdTimestamp',
  'delivery',
];

/** BatchWriteItem takes at most 25 items. */
export const MAX_BATCH_PUT = 25;

/** The item an utterance is stored as: the text its setting keeps, the hour shard of the export, the TTL. */
function storedMessageOf(u: Utterance, retentionDays: number): StoredMessage {
  const createdSeconds = Math.floor(Date.parse(u.createdTimestamp) / 1000);
  if (Number.isNaN(createdSeconds)) throw new RangeError('createdTimestamp is not RFC 3339');
  return {
    conversationId: conversationKey(u.conversationId),
    messageId: u.messageId,
    externalConversationId: u.externalConversationId,
    streamId: u.streamId,
    role: u.role,
    externalId: u.externalId,
    startMs: u.startMs,
    endMs: u.endMs,
    text: storedText(u),
    redactionOutput: u.redactionOutput,
    clientTimestamp: u.clientTimestamp,
    createdTimestamp: u.createdTimestamp,
    tenant: u.tenant,
    hourShard: hourShardOf(u.createdTimestamp, u.messageId),
    expiresAt: createdSeconds + Math.round(retentionDays * DAY_SECONDS),
  };
}

export function createMessagesStore(options: MessagesStoreOptions): MessagesStore {
  const { client, tableName } = options;
  const now = options.now ?? Date.now;

  async function* pages<T>(input: QueryCommandInput): AsyncGenerator<T[]> {
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await client.send(new QueryCommand({ ...input, ExclusiveStartKey }));
      yield (page.Items ?? []) as T[];
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
  }

  return {
    async putUtterance(u) {
      const item = storedMessageOf(u, options.retentionDays);
      await client.send(new PutCommand({ TableName: tableName, Item: item }));
      return item;
    },

    async putUtterances(utterances) {
      if (utterances.length > MAX_BATCH_PUT) throw new RangeError(`at most ${MAX_BATCH_PUT} utterances per batch`);
      if (utterances.length === 0) return [];
      const byId = new Map(utterances.map((u) => [u.messageId, u]));
      const result = await client.send(
        new BatchWriteCommand({
          RequestItems: { [tableName]: utterances.map((u) => ({ PutRequest: { Item: storedMessageOf(u, options.retentionDays) } })) },
        }),
      );
      return (result.UnprocessedItems?.[tableName] ?? []).map((r) => byId.get(r.PutRequest!.Item!.messageId as string)!);
    },

    async listConversationMessages(conversationId, listOptions = {}) {
      const limit = Math.min(listOptions.limit ?? MESSAGES_LIMIT, MESSAGES_LIMIT);
      const names: Record<string, string> = { '#pk': 'conversationId', '#expiresAt': 'expiresAt' };
      for (const attribute of LISTED) names[`#${attribute}`] = attribute;
      const values: Record<string, unknown> = { ':pk': conversationKey(conversationId), ':now': Math.floor(now() / 1000) };
      // TTL deletes lazily, so expired items may still be there.
      let filter = 'attribute_not_exists(#expiresAt) OR #expiresAt > :now';
      if (listOptions.tenant !== undefined) {
        filter = `(${filter}) AND (attribute_not_exists(#tenant) OR #tenant = :tenant)`;
        values[':tenant'] = listOptions.tenant;
      }
      // Ordering is by clientTimestamp, which the sort key does not follow (a long utterance is
      // recorded after a shorter one that began later), so the whole call is read before the cut.
      const items: Array<ListedMessage & { sortKey: number }> = [];
      for await (const page of pages<ListedMessage>({
        TableName: tableName,
        KeyConditionExpression: '#pk = :pk',
        FilterExpression: filter,
        ProjectionExpression: LISTED.map((a) => `#${a}`).join(', '),
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      })) {
        for (const m of page) if (!isDeliveryItem(m.messageId)) items.push({ ...m, sortKey: timeOrLast(m.clientTimestamp) });
      }
      items.sort((a, b) => a.sortKey - b.sortKey || (a.messageId < b.messageId ? -1 : a.messageId > b.messageId ? 1 : 0));
      return items.slice(0, limit).map(({ text, role, externalId, messageId, createdTimestamp, clientTimestamp }) => ({
        text,
        role,
        externalId,
        messageId,
        createdTimestamp,
        clientTimestamp,
      }));
    },

    async listAfter(conversationId, listOptions) {
      const names: Record<string, string> = { '#pk': 'conversationId', '#expiresAt': 'expiresAt' };
      for (const attribute of CONSOLE_FIELDS) names[`#${attribute}`] = attribute;
      const values: Record<string, unknown> = { ':pk': conversationKey(conversationId), ':now': Math.floor(now() / 1000) };
      let filter = 'attribute_not_exists(#expiresAt) OR #expiresAt > :now';
      if (listOptions.tenant !== undefined) {
        filter = `(${filter}) AND (attribute_not_exists(#tenant) OR #tenant = :tenant)`;
        names['#tenant'] = 'tenant';
        values[':tenant'] = listOptions.tenant;
      }
      let keyCondition = '#pk = :pk';
      if (listOptions.after !== undefined) {
        keyCondition += ' AND #messageId > :after';
        values[':after'] = listOptions.after;
      }
      const items: ConsoleMessage[] = [];
      const byId = new Map<string, ConsoleMessage>();
      // An outcome item follows its message: read on until the message after the last one returned.
      read: for await (const page of pages<ConsoleMessage>({
        TableName: tableName,
        KeyConditionExpression: keyCondition,
        FilterExpression: filter,
        ProjectionExpression: CONSOLE_FIELDS.map((a) => `#${a}`).join(', '),
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      })) {
        for (const item of page) {
          if (isDeliveryItem(item.messageId)) {
            const message = byId.get(item.messageId.slice(0, -DELIVERY_SUFFIX.length));
            if (message && item.delivery) message.delivery = item.delivery;
            continue;
          }
          if (items.length >= listOptions.limit) break read;
          items.push(item);
          byId.set(item.messageId, item);
        }
      }
      return items;
    },

    async recordDeliveries(outcomes) {
      if (outcomes.length > MAX_BATCH_PUT) throw new RangeError(`at most ${MAX_BATCH_PUT} outcomes per batch`);
      if (outcomes.length === 0) return [];
      // Kept as long as a message recorded now; one outcome item per message, the latest replacing the rest.
      const expiresAt = Math.floor(now() / 1000) + Math.round(options.retentionDays * DAY_SECONDS);
      const byKey = new Map(outcomes.map((o) => [`${conversationKey(o.conversationId)} ${o.messageId}${DELIVERY_SUFFIX}`, o]));
      const result = await client.send(
        new BatchWriteCommand({
          RequestItems: {
            [tableName]: [...byKey.values()].map((o) => ({
              PutRequest: {
                Item: {
                  conversationId: conversationKey(o.conversationId),
                  messageId: `${o.messageId}${DELIVERY_SUFFIX}`,
                  delivery: o.delivery,
                  expiresAt,
                },
              },
            })),
          },
        }),
      );
      return (result.UnprocessedItems?.[tableName] ?? []).map((r) =>
        byKey.get(`${r.PutRequest!.Item!.conversationId} ${r.PutRequest!.Item!.messageId}`)!,
      );
    },

    async *queryHour(hour, shard) {
      for await (const page of pages<StoredMessage>({
        TableName: tableName,
        IndexName: BY_HOUR_INDEX,
        KeyConditionExpression: '#hourShard = :hourShard',
        ExpressionAttributeNames: { '#hourShard': 'hourShard' },
        ExpressionAttributeValues: { ':hourShard': hourShardKey(hour, shard) },
      })) {
        yield* page;
      }
    },
  };
}

function timeOrLast(timestamp: string): number {
  const ms = Date.parse(timestamp);
  return Number.isNaN(ms) ? Number.MAX_SAFE_INTEGER : ms;
}
