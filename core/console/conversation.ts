import { decodeTime, encodeTime, isValid } from 'ulid';
import { z } from 'zod';
import { ApiError } from '../api/errors.ts';
import { deliveryRecordSchema } from '../domain/live-call.ts';
import { ROLES } from '../domain/participant.ts';
import { streamStatusSchema } from '../domain/participant-result.ts';
import { REDACTION_OUTPUTS } from '../domain/transcription.ts';
import type { LiveCallsStore } from '../stores/live-calls.ts';
import type { MessagesStore } from '../stores/messages.ts';
import { liveCallItem, liveCallItemSchema } from './live-calls.ts';

/** A conversation's health and transcript for the console (docs/console.md §2.2, §2.3). */
export interface ConsoleDeps {
  live: Pick<LiveCallsStore, 'get'>;
  messages: Pick<MessagesStore, 'listAfter'>;
}

// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const CONTROL_CHARACTER = /[\u0000-\u001f]/;
export const conversationIdSchema = z
  .string()
  .min(1)
  .max(255)
  .refine((s) => s.trim() === s && !CONTROL_CHARACTER.test(s))
  .meta({ description: 'The Genesys conversation id (any letter case): 1 to 255 printable characters.' });

export function parseConversationId(raw: string | undefined): string {
  const parsed = conversationIdSchema.safeParse(raw);
  if (!parsed.success) throw new ApiError('400-01', 'conversationId must be 1 to 255 printable characters');
  return parsed.data;
}

const roleSchema = z.enum(ROLES);
const count = z.number().int().nonnegative();

export const healthResponseSchema = z
  .object({
    conversationId: z.string(),
    session: liveCallItemSchema
      .extend({
        pauses: count,
        discardedMs: z.number(),
        discards: z.array(z.object({ startMs: z.number(), durationMs: z.number() })),
        recognizerErrors: z.array(streamStatusSchema.extend({ role: roleSchema })),
        openReceivedAt: z.string(),
      })
      .nullable()
      .meta({ description: "The session's view as its gateway task last published it (null before the first publication)." }),
    startStreamingCalled: z
      .boolean()
      .meta({ description: "Whether start-streaming ever succeeded for the conversation's current session." }),
    deliveries: z.object({
      delivered: count,
      failed: count,
      dropped: count,
      pending: count.meta({ description: 'Recorded, no webhook outcome known yet (queued, or delivery off).' }),
      failedByStatus: z
        .record(z.string(), count)
        .meta({ description: "Failed deliveries by the target's status (`none` when it never answered)." }),
      items: z.array(
        z.object({
          messageId: z.string(),
          role: roleSchema,
          startMs: z.number(),
          endMs: z.number(),
          delivery: deliveryRecordSchema.nullable(),
        }),
      ),
    }),
  })
  .meta({ id: 'ConversationHealth' });
export type HealthResponse = z.infer<typeof healthResponseSchema>;

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

/** What the console shows of a stored message (docs/data-model.md): everything but the export's bookkeeping. */
const consoleMessageSchema = z.object({
  messageId: z.string(),
  externalConversationId: z.string(),
  streamId: z.string(),
  role: roleSchema,
  externalId: z.string(),
  startMs: z.number(),
  endMs: z.number(),
  text: z.string(),
  redactionOutput: z.enum(REDACTION_OUTPUTS),
  clientTimestamp: z.string(),
  createdTimestamp: z.string(),
  delivery: deliveryRecordSchema.optional(),
});

export const messagesAfterResponseSchema = z
  .object({
    items: z.array(consoleMessageSchema),
    cursor: z.string().nullable().meta({ description: 'Pass as `after` to read on; null when there were no messages.' }),
  })
  .meta({ id: 'ConsoleMessagesPage' });
export type MessagesAfterResponse = z.infer<typeof messagesAfterResponseSchema>;

/** Utterances are recorded concurrently, so one may be stored a moment after a later one: re-read this window. */
const REORDER_WINDOW_MS = 5_000;
const MESSAGES_PAGE_LIMIT = 500;

export const consoleMessagesQuerySchema = z.object({
  after: z
    .string()
    .refine((s) => isValid(s), 'after must be a cursor returned by this route')
    .optional()
    .meta({ description: 'A cursor returned by this route: read the messages recorded after it.' }),
  limit: z.coerce.number().int().min(1).max(MESSAGES_PAGE_LIMIT).default(MESSAGES_PAGE_LIMIT),
});

export function parseMessagesQuery(after: string | undefined, limit: string | undefined): { after?: string; limit: number } {
  const parsed = consoleMessagesQuerySchema.safeParse({ after: after === '' ? undefined : after, limit: limit === '' ? undefined : limit });
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
