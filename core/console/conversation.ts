import { decodeTime, encodeTime, isValid } from 'ulid';
import { z } from 'zod';
import { ApiError } from '../api/errors.ts';
import type { DeliveryRecord, LiveCallView } from '../domain/live-call.ts';
import type { Role } from '../domain/participant.ts';
import type { LiveCallsStore } from '../stores/live-calls.ts';
import type { ConsoleMessage, MessagesStore } from '../stores/messages.ts';
import { liveCallItem, type LiveCallItem } from './live-calls.ts';

/** A conversation's health and transcript for the console (docs/console.md §2.2, §2.3). */
export interface ConsoleDeps {
  live: Pick<LiveCallsStore, 'get'>;
  messages: Pick<MessagesStore, 'listAfter'>;
}

// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const CONTROL_CHARACTER = /[\u0000-\u001f]/;
const conversationIdSchema = z
  .string()
  .min(1)
  .max(255)
  .refine((s) => s.trim() === s && !CONTROL_CHARACTER.test(s));

export function parseConversationId(raw: string | undefined): string {
  const parsed = conversationIdSchema.safeParse(raw);
  if (!parsed.success) throw new ApiError('400-01', 'conversationId must be 1 to 255 printable characters');
  return parsed.data;
}

export interface HealthResponse {
  conversationId: string;
  /** The session's view as its gateway task last published it (none before the first publication). */
  session: (LiveCallItem & Pick<LiveCallView, 'pauses' | 'discardedMs' | 'discards' | 'recognizerErrors' | 'openReceivedAt'>) | null;
  /** Whether start-streaming ever succeeded for the conversation's current session. */
  startStreamingCalled: boolean;
  deliveries: {
    delivered: number;
    failed: number;
    dropped: number;
    /** Recorded, no webhook outcome known yet (queued, or delivery off). */
    pending: number;
    /** Failed deliveries by the target's status (`none` when it never answered). */
    failedByStatus: Record<string, number>;
    items: Array<{ messageId: string; role: Role; startMs: number; endMs: number; delivery: DeliveryRecord | null }>;
  };
}

export async function conversationHealth(conversationId: string, deps: ConsoleDeps, now: number): Promise<HealthResponse> {
  const [snapshot, messages] = await Promise.all([deps.live.get(conversationId), deps.messages.listAfter(conversationId, { limit: 1000 })]);
  if (!snapshot && messages.length === 0) throw new ApiError('404-01', 'no call with this conversationId');
  const deliveries: HealthResponse['deliveries'] = { delivered: 0, failed: 0, dropped: 0, pending: 0, failedByStatus: {}, items: [] };
  for (const m of messages) {
    const d = m.delivery;
    if (!d) deliveries.pending++;
    else deliveries[d.outcome]++;
    if (d?.outcome === 'failed') {
      const key = d.status === undefined ? 'none' : String(d.status);
      deliveries.failedByStatus[key] = (deliveries.failedByStatus[key] ?? 0) + 1;
    }
    deliveries.items.push({ messageId: m.messageId, role: m.role, startMs: m.startMs, endMs: m.endMs, delivery: d ?? null });
  }
  const live = snapshot?.live;
  return {
    conversationId: snapshot?.conversationId ?? conversationId.toLowerCase(),
    session: live
      ? {
          ...liveCallItem({ ...snapshot, live }, now),
          pauses: live.pauses,
          discardedMs: live.discardedMs,
          discards: live.discards ?? [],
          recognizerErrors: live.recognizerErrors,
          openReceivedAt: live.openReceivedAt,
        }
      : null,
    startStreamingCalled: snapshot?.transcription !== undefined,
    deliveries,
  };
}

export interface MessagesAfterResponse {
  items: ConsoleMessage[];
  /** Pass as `after` to read on; absent when there were no messages. */
  cursor: string | null;
}

/** Utterances are recorded concurrently, so one may be stored a moment after a later one: re-read this window. */
const REORDER_WINDOW_MS = 5_000;
const MESSAGES_PAGE_LIMIT = 500;

const querySchema = z.object({
  after: z
    .string()
    .refine((s) => isValid(s), 'after must be a cursor returned by this route')
    .optional(),
  limit: z.coerce.number().int().min(1).max(MESSAGES_PAGE_LIMIT).default(MESSAGES_PAGE_LIMIT),
});

export function parseMessagesQuery(after: string | undefined, limit: string | undefined): { after?: string; limit: number } {
  const parsed = querySchema.safeParse({ after: after === '' ? undefined : after, limit: limit === '' ? undefined : limit });
  if (!parsed.success)
    throw new ApiError(
      '400-01',
      parsed.error.issues[0]?.path[0] === 'limit'
        ? `limit must be an integer from 1 to ${MESSAGES_PAGE_LIMIT}`
        : 'after must be a cursor returned by this route',
    );
  return parsed.data;
}

/**
 * The call's messages recorded after `after`, in recording order. Items of the last REORDER_WINDOW_MS
 * before the cursor are returned again (callers de-duplicate by `messageId`), so a message stored late
 * is never skipped, and their webhook outcomes are refreshed on the way.
 */
export async function messagesAfter(
  conversationId: string,
  query: { after?: string; limit: number },
  deps: ConsoleDeps,
): Promise<MessagesAfterResponse> {
  const floor = query.after === undefined ? undefined : windowFloor(query.after);
  const items = await deps.messages.listAfter(conversationId, { after: floor, limit: query.limit });
  const last = items.at(-1)?.messageId;
  const cursor = last === undefined ? (query.after ?? null) : query.after !== undefined && query.after > last ? query.after : last;
  return { items, cursor };
}

function windowFloor(cursor: string): string {
  const time = Math.max(0, decodeTime(cursor) - REORDER_WINDOW_MS);
  return `${encodeTime(time, 10)}${'0'.repeat(16)}`;
}
