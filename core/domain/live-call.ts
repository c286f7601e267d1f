import { z } from 'zod';
import type { Role } from './participant.ts';
import type { StreamStatus } from './participant-result.ts';

/**
 * What a gateway task publishes about each AudioHook session it holds, for the console
 * (docs/console.md). Written into the session's `conversations` item as the `live` attribute, so
 * every API task reads the same view whichever gateway task holds the call.
 */
export const LIVE_STATES = ['open', 'paused', 'transcribing', 'closing', 'closed'] as const;
export type LiveState = (typeof LIVE_STATES)[number];

export interface LiveCallView {
  sessionId: string;
  state: LiveState;
  /** A Genesys connection probe (all-zero conversation id): never transcribed. */
  probe: boolean;
  /** The participants present in the session's media, in channel order. */
  participants: Role[];
  /** RFC 3339: when the `open` message arrived, and when `opened` went out. */
  openReceivedAt: string;
  openedAt: string;
  /** `open` → `opened`; Genesys gives up at about 5 s. */
  openLatencyMs: number;
  /** Audio received per participant, milliseconds of the call's audio. */
  receivedMs: Record<Role, number>;
  /** Audio the client reported as discarded (`discarded` / `resumed`), milliseconds. */
  discardedMs: number;
  /** Where on the timeline audio was discarded (the first 100 spans): pauses show here. */
  discards: Array<{ startMs: number; durationMs: number }>;
  pauses: number;
  /** Utterances recorded in this session so far. */
  utterances: number;
  /** Recognizer failures seen (status codes other than 1000), once per participant and code. */
  recognizerErrors: Array<{ role: Role } & StreamStatus>;
  /** Heartbeat: RFC 3339 of the last publication. A live view not refreshed for long is reported `lost`. */
  publishedAt: string;
}

/** Publication interval of the gateway's live views and the age after which a silent one counts as lost. */
export const LIVE_PUBLISH_INTERVAL_MS = 2_000;
export const LIVE_STALE_AFTER_MS = 15_000;
/**
 * Writes per second one gateway task spends on live views: past this many sessions per interval
 * (400 at 2 s) its rounds space out, to at most half the stale age apart. At a thousand calls a view
 * every 2 s was 500 writes a second, more than the calls' utterances cost to store and queue.
 */
export const LIVE_PUBLISH_WRITES_PER_SECOND = 200;

/** How the webhook Lambda's outcome for one utterance is recorded on its `messages` item (and shown by the console). */
export const deliveryRecordSchema = z
  .object({
    outcome: z.enum(['delivered', 'failed', 'dropped']),
    status: z.number().int().optional().meta({ description: "The target's HTTP status, when it answered." }),
    reason: z.string().meta({ description: '`ok`, `status 503`, `timeout`, a TLS error code, `past deadline`… never a secret.' }),
    attempt: z.number().int(),
    latencyMs: z.number().optional(),
    at: z.string(),
  })
  .meta({ id: 'DeliveryRecord' });
export type DeliveryRecord = z.infer<typeof deliveryRecordSchema>;
