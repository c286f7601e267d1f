import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TranscriptionSettings } from '../domain/transcription.ts';
import type { StopResults } from '../domain/participant-result.ts';
import { conversationKey } from './conversation-key.ts';
import { isConditionalCheckFailure, updateExpression, withCondition, type UpdateParts } from './update-expression.ts';

/**
 * The `conversations` table (docs/data-model.md): which gateway task holds a call's live AudioHook
 * session, and the start/stop control state. The gateway writes the session part; the start/stop
 * Lambdas write the transcription part under a per-conversation lock.
 */
export type SessionState = 'open' | 'closing' | 'closed';
export type TranscriptionState = 'running' | 'stopped';

export interface ConversationRecord {
  conversationId: string;
  sessionId: string;
  gatewayUrl: string;
  sessionState: SessionState;
  /** Absent: never started in this session. */
  transcription?: TranscriptionState;
  settings?: TranscriptionSettings;
  customerStreamId?: string;
  agentStreamId?: string;
  pendingSummary?: StopResults;
  lockOwner?: string;
  /** Epoch milliseconds. */
  lockExpiresAt?: number;
  openedAt: string;
  updatedAt: string;
  /** TTL, epoch seconds. */
  expiresAt: number;
}

interface SessionRegistration {
  conversationId: string;
  sessionId: string;
  /** Base URL of the owning task's control endpoint, e.g. `http://10.0.1.23:8081`. */
  gatewayUrl: string;
  /** RFC 3339; defaults to now. Orders registrations when several sessions exist for one call. */
  openedAt?: string;
}

interface StartRecord {
  settings: TranscriptionSettings;
  customerStreamId: string;
  agentStreamId: string;
}

/** A crashed handler cannot block a call for longer than this (docs/api-contract.md §2.2). */
const LOCK_TTL_MS = 30_000;

export interface ConversationsStore {
  /**
   * Records a newly opened AudioHook session as the call's live session (gateway, off the `opened`
   * path). A newer session replaces an older one; nothing is transcribed in it until a start.
   * Returns false when ignored: the same session again, or an older session registered late.
   */
  registerSession(registration: SessionRegistration): Promise<boolean>;
  /** Genesys sent `close`; final results are being flushed. False when the session is no longer the live one. */
  markSessionClosing(conversationId: string, sessionId: string): Promise<boolean>;
  /**
   * The session ended. `pendingSummary`: the final results of a span that was still running, which
   * the next stop returns once. False when the session was no longer the live one (the summary is then still kept).
   */
  markSessionClosed(conversationId: string, sessionId: string, pendingSummary?: StopResults): Promise<boolean>;
  storePendingSummary(conversationId: string, summary: StopResults): Promise<void>;
  /** Removes and returns the pending summary, so exactly one caller gets it. */
  takePendingSummary(conversationId: string): Promise<StopResults | undefined>;
  getConversation(conversationId: string): Promise<ConversationRecord | undefined>;
  /** Takes the lock if free or expired; returns the record as it stands under the lock, or undefined when held. */
  acquireLock(conversationId: string, owner: string, ttlMs?: number): Promise<ConversationRecord | undefined>;
  /** Releases the lock if `owner` still holds it. */
  releaseLock(conversationId: string, owner: string): Promise<void>;
  /** A start succeeded on the gateway. False when `sessionId` is no longer the live session. */
  recordStart(conversationId: string, sessionId: string, start: StartRecord): Promise<boolean>;
  /** A stop succeeded, or the gateway reported the span not running. */
  recordStop(conversationId: string, sessionId: string): Promise<boolean>;
  /** The gateway reported a span running that this table did not know about. */
  recordRunning(conversationId: string, sessionId: string): Promise<boolean>;
}

export interface ConversationsStoreOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
  /** Message retention; a conversation record outlives its messages by one day. */
  retentionDays: number;
  now?: () => number;
}

const DAY_SECONDS = 86_400;

export function createConversationsStore(options: ConversationsStoreOptions): ConversationsStore {
  const { client, tableName } = options;
  const now = options.now ?? Date.now;
  const stamp = () => new Date(now()).toISOString();
  const expiresAt = () => Math.floor(now() / 1000) + Math.ceil((options.retentionDays + 1) * DAY_SECONDS);
  const key = (conversationId: string) => ({ conversationId: conversationKey(conversationId) });

  /** Runs a conditional update; false when the condition did not hold. */
  async function conditionalUpdate(conversationId: string, parts: UpdateParts & { ConditionExpression: string }): Promise<boolean> {
    try {
      await client.send(new UpdateCommand({ TableName: tableName, Key: key(conversationId), ...parts }));
      return true;
    } catch (error) {
      if (isConditionalCheckFailure(error)) return false;
      throw error;
    }
  }

  const ofSession = (parts: UpdateParts, sessionId: string) =>
    withCondition(parts, '#sessionId = :liveSession', { '#sessionId': 'sessionId' }, { ':liveSession': sessionId });

  function setTranscription(conversationId: string, sessionId: string, state: TranscriptionState): Promise<boolean> {
    return conditionalUpdate(conversationId, ofSession(updateExpression({ transcription: state, updatedAt: stamp() }), sessionId));
  }

  async function storePendingSummary(conversationId: string, summary: StopResults): Promise<void> {
    const parts = updateExpression({ pendingSummary: summary, updatedAt: stamp() });
    await conditionalUpdate(
      conversationId,
      withCondition(parts, 'attribute_exists(#conversationId)', { '#conversationId': 'conversationId' }),
    );
  }

  return {
    async registerSession(registration) {
      if (!/^https?:\/\/[^/]+/.test(registration.gatewayUrl)) throw new Error('gatewayUrl must be an http(s) base URL');
      const openedAt = registration.openedAt ?? stamp();
      const parts = updateExpression(
        {
          sessionId: registration.sessionId,
          gatewayUrl: registration.gatewayUrl,
          sessionState: 'open',
          openedAt,
          updatedAt: stamp(),
          expiresAt: expiresAt(),
        },
        ['transcription'],
      );
      return conditionalUpdate(
        registration.conversationId,
        withCondition(parts, 'attribute_not_exists(#sessionId) OR (#sessionId <> :sessionId AND #openedAt <= :openedAt)', {}),
      );
    },

    markSessionClosing(conversationId, sessionId) {
      const parts = ofSession(updateExpression({ sessionState: 'closing', updatedAt: stamp() }), sessionId);
      return conditionalUpdate(
        conversationId,
        withCondition(parts, `${parts.ConditionExpression} AND #sessionState = :open`, {}, { ':open': 'open' }),
      );
    },

    async markSessionClosed(conversationId, sessionId, pendingSummary) {
      const parts = updateExpression({
        sessionState: 'closed',
        transcription: 'stopped',
        pendingSummary,
        updatedAt: stamp(),
        expiresAt: expiresAt(),
      });
      const applied = await conditionalUpdate(conversationId, ofSession(parts, sessionId));
      if (!applied && pendingSummary) await storePendingSummary(conversationId, pendingSummary);
      return applied;
    },

    storePendingSummary,

    async takePendingSummary(conversationId) {
      const parts = withCondition(updateExpression({ updatedAt: stamp() }, ['pendingSummary']), 'attribute_exists(#pendingSummary)', {});
      try {
        const { Attributes } = await client.send(
          new UpdateCommand({ TableName: tableName, Key: key(conversationId), ...parts, ReturnValues: 'UPDATED_OLD' }),
        );
        return Attributes?.pendingSummary as StopResults | undefined;
      } catch (error) {
        if (isConditionalCheckFailure(error)) return undefined;
        throw error;
      }
    },

    async getConversation(conversationId) {
      const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: key(conversationId), ConsistentRead: true }));
      return Item as ConversationRecord | undefined;
    },

    async acquireLock(conversationId, owner, ttlMs = LOCK_TTL_MS) {
      const at = now();
      const parts = withCondition(
        updateExpression({ lockOwner: owner, lockExpiresAt: at + ttlMs }),
        'attribute_exists(#conversationId) AND (attribute_not_exists(#lockOwner) OR #lockExpiresAt < :now)',
        { '#conversationId': 'conversationId' },
        { ':now': at },
      );
      try {
        const { Attributes } = await client.send(
          new UpdateCommand({ TableName: tableName, Key: key(conversationId), ...parts, ReturnValues: 'ALL_NEW' }),
        );
        return Attributes as ConversationRecord;
      } catch (error) {
        if (isConditionalCheckFailure(error)) return undefined;
        throw error;
      }
    },

    async releaseLock(conversationId, owner) {
      const parts = withCondition(updateExpression({}, ['lockOwner', 'lockExpiresAt']), '#lockOwner = :owner', {}, { ':owner': owner });
      await conditionalUpdate(conversationId, parts);
    },

    recordStart(conversationId, sessionId, start) {
      const parts = updateExpression(
        {
          transcription: 'running',
          settings: start.settings,
          customerStreamId: start.customerStreamId,
          agentStreamId: start.agentStreamId,
          updatedAt: stamp(),
          expiresAt: expiresAt(),
        },
        // A new span supersedes the unreported summary of a span that ended with an earlier session.
        ['pendingSummary'],
      );
      return conditionalUpdate(conversationId, ofSession(parts, sessionId));
    },

    recordStop: (conversationId, sessionId) => setTranscription(conversationId, sessionId, 'stopped'),
    recordRunning: (conversationId, sessionId) => setTranscription(conversationId, sessionId, 'running'),
  };
}
