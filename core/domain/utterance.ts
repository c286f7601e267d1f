import type { Role } from './participant.ts';
import type { RedactionOutput } from './transcription.ts';

/** A word of an utterance in the webhook's detailed-token shape (docs/api-contract.md §3.2). */
export interface UtteranceToken {
  content: string;
  start: number;
  end: number;
  punctuationAfter?: string;
  punctuationBefore?: string;
}

/**
 * One final utterance as the gateway produces it, before it is stored and queued. It holds both texts
 * in memory; which of them may leave the process is decided by `redactionOutput`
 * (see `storedText` and core/webhook/body.ts).
 */
export interface Utterance {
  /** Genesys conversation id, lower case: the key of every store. */
  conversationId: string;
  /** The `guid` exactly as the start request sent it. */
  externalConversationId: string;
  /** ULID, generated when the utterance is recorded. */
  messageId: string;
  streamId: string;
  role: Role;
  /** customerId / agentId of the latest start. */
  externalId: string;
  /** Milliseconds on the AudioHook session's audio timeline. */
  startMs: number;
  endMs: number;
  /** Smart-formatted text with sensitive spans masked by `#`. */
  maskedText: string;
  /** Smart-formatted text, unmasked. Never stored or logged when `redactionOutput` is `redacted`. */
  rawText: string;
  tokens?: UtteranceToken[];
  redactionOutput: RedactionOutput;
  /** Wall-clock time the words were spoken (audio position zero + startMs), RFC 3339 with ms. */
  clientTimestamp: string;
  /** Wall-clock time the utterance was recorded, RFC 3339 with ms. */
  createdTimestamp: string;
  /** Tenant (the feed's company_marker). */
  tenant: string;
}

/** The text that may be stored, returned by the after-call GET and exported (docs/api-contract.md §6.2). */
export function storedText(u: Pick<Utterance, 'redactionOutput' | 'maskedText' | 'rawText'>): string {
  return u.redactionOutput === 'unredacted' ? u.rawText : u.maskedText;
}
