import { DeleteCommand, GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { monotonicFactory } from 'ulid';
import type { CustomVocabularyItem, NewVocabularyItem } from '../vocabulary/custom-vocabulary.ts';

/**
 * The `customVocabularies` table (docs/data-model.md): one item per entry, partition `tenant`, sort `id`
 * (a ULID, so a tenant's entries list in creation order). Pages are read with opaque cursors that
 * name the id to continue after (`nextCursor`) or before (`prevCursor`).
 */

export interface VocabularyPage {
  items: CustomVocabularyItem[];
  nextCursor: string | null;
  prevCursor: string | null;
}

export interface VocabularyStore {
  list(tenant: string, options: { pageSize: number; cursor?: string }): Promise<VocabularyPage>;
  /** Every entry of the tenant, in creation order (what a call applies), bounded by `limit`. */
  all(tenant: string, limit: number): Promise<CustomVocabularyItem[]>;
  get(tenant: string, id: string): Promise<CustomVocabularyItem | undefined>;
  /** Adds an entry unless the tenant already has `maxEntries`; undefined when full. */
  create(tenant: string, item: NewVocabularyItem, maxEntries: number): Promise<CustomVocabularyItem | undefined>;
  /** True when the entry existed. */
  delete(tenant: string, id: string): Promise<boolean>;
}

export class InvalidCursorError extends Error {
  constructor() {
    super('invalid cursor');
    this.name = 'InvalidCursorError';
  }
}

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

interface Cursor {
  after?: string;
  before?: string;
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decodeCursor(text: string): Cursor {
  try {
    const value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown;
    if (typeof value === 'object' && value !== null) {
      const { after, before } = value as Record<string, unknown>;
      if (typeof after === 'string' && ULID.test(after) && before === undefined) return { after };
      if (typeof before === 'string' && ULID.test(before) && after === undefined) return { before };
    }
  } catch {
    // fall through
  }
  throw new InvalidCursorError();
}

function toItem(raw: Record<string, unknown>): CustomVocabularyItem {
  return {
    id: String(raw.id),
    phrase: String(raw.phrase),
    soundsLike: (raw.soundsLike as string[] | undefined) ?? [],
    createdAt: String(raw.createdAt),
  };
}

const newId = monotonicFactory();

export function createVocabularyStore(options: { client: DynamoDBDocumentClient; tableName: string; now?: () => number }): VocabularyStore {
  const { client, tableName } = options;
  const now = options.now ?? Date.now;

  async function page(tenant: string, limit: number, from: Cursor): Promise<{ items: CustomVocabularyItem[]; more: boolean }> {
    const forward = from.before === undefined;
    const bound = from.after ?? from.before;
    const result = await client.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: bound === undefined ? '#t = :t' : `#t = :t AND #i ${forward ? '>' : '<'} :b`,
        ExpressionAttributeNames: bound === undefined ? { '#t': 'tenant' } : { '#t': 'tenant', '#i': 'id' },
        ExpressionAttributeValues: bound === undefined ? { ':t': tenant } : { ':t': tenant, ':b': bound },
        ScanIndexForward: forward,
        Limit: limit + 1,
        ConsistentRead: true,
      }),
    );
    const items = (result.Items ?? []).map(toItem);
    const more = items.length > limit;
    const kept = items.slice(0, limit);
    return { items: forward ? kept : kept.reverse(), more };
  }

  return {
    async list(tenant, { pageSize, cursor }) {
      const from = cursor === undefined ? {} : decodeCursor(cursor);
      const { items, more } = await page(tenant, pageSize, from);
      const first = items[0]?.id;
      const last = items.at(-1)?.id;
      // Going forward there is more after when the query found it, and something before when we started after an id.
      const hasNext = from.before === undefined ? more : true;
      const hasPrev = from.before === undefined ? from.after !== undefined : more;
      return {
        items,
        nextCursor: hasNext && last ? encodeCursor({ after: last }) : null,
        prevCursor: hasPrev && first ? encodeCursor({ before: first }) : null,
      };
    },

    async all(tenant, limit) {
      const items: CustomVocabularyItem[] = [];
      let after: string | undefined;
      while (items.length < limit) {
        const { items: batch, more } = await page(tenant, Math.min(100, limit - items.length), after ? { after } : {});
        items.push(...batch);
        if (!more || batch.length === 0) break;
        after = batch.at(-1)!.id;
      }
      return items;
    },

    async get(tenant, id) {
      if (!ULID.test(id)) return undefined;
      const result = await client.send(new GetCommand({ TableName: tableName, Key: { tenant, id }, ConsistentRead: true }));
      return result.Item ? toItem(result.Item) : undefined;
    },

    async create(tenant, item, maxEntries) {
      // A bound, not a transaction: two concurrent creates may both pass it, which costs one entry too many at most.
      const existing = await client.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: '#t = :t',
          ExpressionAttributeNames: { '#t': 'tenant' },
          ExpressionAttributeValues: { ':t': tenant },
          Select: 'COUNT',
          ConsistentRead: true,
        }),
      );
      if ((existing.Count ?? 0) >= maxEntries) return undefined;
      const at = now();
      const stored: CustomVocabularyItem = {
        id: newId(at),
        phrase: item.phrase,
        soundsLike: item.soundsLike,
        createdAt: new Date(at).toISOString(),
      };
      await client.send(
        new PutCommand({ TableName: tableName, Item: { tenant, ...stored }, ConditionExpression: 'attribute_not_exists(id)' }),
      );
      return stored;
    },

    async delete(tenant, id) {
      if (!ULID.test(id)) return false;
      const result = await client.send(new DeleteCommand({ TableName: tableName, Key: { tenant, id }, ReturnValues: 'ALL_OLD' }));
      return result.Attributes !== undefined;
    },
  };
}
