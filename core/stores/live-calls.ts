import { createHash } from 'node:crypto';
import { GetCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { LiveCallView } from '../domain/live-call.ts';
import type { TranscriptionState, SessionState } from './conversations.ts';
import { conversationKey, PROBE_CONVERSATION_ID } from './conversation-key.ts';
import { LIVE_INDEX, LIVE_PROJECTED, LIVE_SHARDS } from './tables.ts';
import { isConditionalCheckFailure, updateExpression, withCondition } from './update-expression.ts';

/**
 * The live views gateway tasks publish (docs/console.md), kept on the `conversations` items: `live`
 * holds the view, and `liveShard` — present only while the session is live — puts the item in the
 * sparse `live` index, spread over a few partitions so a busy contact centre's heartbeats do not all
 * land on one. Any API task lists the live calls of every gateway task with LIVE_SHARDS queries.
 */

/** A conversation's console-relevant part of its `conversations` item. */
export interface ConversationSnapshot {
  conversationId: string;
  sessionId?: string;
  sessionState?: SessionState;
  transcription?: TranscriptionState;
  customerStreamId?: string;
  agentStreamId?: string;
  live?: LiveCallView;
}

export interface LiveCallsStore {
  /**
   * Writes a live session's view. For a call, only while `sessionId` is the conversation's registered
   * session (false otherwise: not registered yet, or replaced); a probe's view is written as is.
   */
  publish(conversationId: string, view: LiveCallView): Promise<boolean>;
  /** The session ended: its final view stays on the item for after-call health; it leaves the index. */
  end(conversationId: string, view: LiveCallView): Promise<boolean>;
  /** Every conversation whose session some gateway task published as live. */
  listLive(): Promise<ConversationSnapshot[]>;
  get(conversationId: string): Promise<ConversationSnapshot | undefined>;
}

export interface LiveCallsStoreOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
  now?: () => number;
}

/** Attributes the index carries and the console reads. */
const SNAPSHOT_ATTRIBUTES = ['conversationId', ...LIVE_PROJECTED] as const;

/** A probe's item lives a day: enough to answer "did Genesys's probe reach us?". */
const PROBE_TTL_SECONDS = 86_400;

function liveShardOf(conversationId: string): string {
  const shard = createHash('sha256').update(conversationKey(conversationId)).digest().readUInt32BE(0) % LIVE_SHARDS;
  return `live#${shard}`;
}

export function createLiveCallsStore(options: LiveCallsStoreOptions): LiveCallsStore {
  const { client, tableName } = options;
  const now = options.now ?? Date.now;
  const key = (conversationId: string) => ({ conversationId: conversationKey(conversationId) });
  const projection = {
    ProjectionExpression: SNAPSHOT_ATTRIBUTES.map((a) => `#${a}`).join(', '),
    ExpressionAttributeNames: Object.fromEntries(SNAPSHOT_ATTRIBUTES.map((a) => [`#${a}`, a])),
  };

  async function write(conversationId: string, view: LiveCallView, live: boolean): Promise<boolean> {
    const isProbe = conversationKey(conversationId) === PROBE_CONVERSATION_ID;
    const set: Record<string, unknown> = { live: view };
    const remove: string[] = [];
    if (live) set.liveShard = liveShardOf(conversationId);
    else remove.push('liveShard');
    // A probe has no registration: its item says which session it was, and that it is no call.
    if (isProbe)
      Object.assign(set, { sessionId: view.sessionId, sessionState: 'closed', expiresAt: Math.floor(now() / 1000) + PROBE_TTL_SECONDS });
    const parts = updateExpression(set, remove);
    const conditioned = isProbe
      ? parts
      : withCondition(parts, '#sessionId = :liveSession', { '#sessionId': 'sessionId' }, { ':liveSession': view.sessionId });
    try {
      await client.send(new UpdateCommand({ TableName: tableName, Key: key(conversationId), ...conditioned }));
      return true;
    } catch (error) {
      if (isConditionalCheckFailure(error)) return false;
      throw error;
    }
  }

  return {
    publish: (conversationId, view) => write(conversationId, view, true),
    end: (conversationId, view) => write(conversationId, view, false),

    async listLive() {
      const shards = Array.from({ length: LIVE_SHARDS }, (_, i) => `live#${i}`);
      const pages = await Promise.all(
        shards.map(async (shard) => {
          const items: ConversationSnapshot[] = [];
          let ExclusiveStartKey: Record<string, unknown> | undefined;
          do {
            const page = await client.send(
              new QueryCommand({
                TableName: tableName,
                IndexName: LIVE_INDEX,
                KeyConditionExpression: '#liveShard = :shard',
                ...projection,
                ExpressionAttributeNames: { ...projection.ExpressionAttributeNames, '#liveShard': 'liveShard' },
                ExpressionAttributeValues: { ':shard': shard },
                ExclusiveStartKey,
              }),
            );
            items.push(...((page.Items ?? []) as ConversationSnapshot[]));
            ExclusiveStartKey = page.LastEvaluatedKey;
          } while (ExclusiveStartKey);
          return items;
        }),
      );
      return pages.flat();
    },

    async get(conversationId) {
      const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: key(conversationId), ...projection }));
      return Item as ConversationSnapshot | undefined;
    },
  };
}
