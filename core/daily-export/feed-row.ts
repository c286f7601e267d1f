import type { StoredMessage } from '../stores/messages.ts';

/** Columns of the `utterances` feed, in their fixed order (docs/api-contract.md §5.3). */
export const FEED_COLUMNS = [
  'conversation_id',
  'message_id',
  'instance_ts',
  'chat_message_event_ts',
  'external_conversation_id',
  'utterance',
  'company_marker',
  'dt',
  'hr',
] as const;

/** Opt-in columns after the nine (FEED_EXTRA_COLUMNS): ASAPP's feed has no sender, ours can carry it. */
export const EXTRA_COLUMNS = ['sender_role', 'sender_external_id', 'stream_id', 'start_ms', 'end_ms'] as const;

export type FeedColumn = (typeof FEED_COLUMNS)[number] | (typeof EXTRA_COLUMNS)[number];

export interface FeedRow {
  conversation_id: string;
  message_id: string;
  instance_ts: string;
  chat_message_event_ts: string;
  external_conversation_id: string;
  utterance: string;
  company_marker: string;
  dt: string;
  hr: string;
  sender_role?: string;
  sender_external_id?: string | null;
  stream_id?: string;
  start_ms?: number;
  end_ms?: number;
}

export interface RowOptions {
  extraColumns: boolean;
  /** company_marker of an item written without a tenant. */
  defaultTenant: string;
}

export function feedColumns(extraColumns: boolean): readonly FeedColumn[] {
  return extraColumns ? [...FEED_COLUMNS, ...EXTRA_COLUMNS] : FEED_COLUMNS;
}

/**
 * The feed row of one stored message, or undefined when its `createdTimestamp` is unreadable (such an
 * item could not have been indexed by hour either). The row is built key by key in column order
 * because JSON Lines output follows insertion order.
 */
export function toFeedRow(message: StoredMessage, options: RowOptions): FeedRow | undefined {
  const ms = Date.parse(message.createdTimestamp);
  if (Number.isNaN(ms)) return undefined;
  const eventTs = new Date(ms).toISOString();
  const dt = eventTs.slice(0, 10);
  const hr = eventTs.slice(11, 13);
  const row: FeedRow = {
    conversation_id: message.conversationId,
    message_id: message.messageId,
    instance_ts: `${dt}T${hr}:00:00.000Z`,
    chat_message_event_ts: eventTs,
    external_conversation_id: message.externalConversationId ?? message.conversationId,
    // Stored text already follows the span's redactionOutput (storedText), so nothing private is added here.
    utterance: message.text ?? '',
    company_marker: message.tenant || options.defaultTenant,
    dt,
    hr,
  };
  if (options.extraColumns) {
    row.sender_role = message.role;
    row.sender_external_id = message.externalId || null;
    row.stream_id = message.streamId;
    row.start_ms = message.startMs;
    row.end_ms = message.endMs;
  }
  return row;
}
