import type { UtteranceToken } from '#core/domain/utterance.ts';
import type { RecognizedWord } from '../recognition/recognizer.ts';
import { formatDuration } from './duration.ts';
import type { EventEntity } from './session.ts';

/**
 * A final utterance as a Transcription Connector `transcript` entity (docs/audiohook-protocol.md §18): the
 * channel it was heard on, its place on the session's audio timeline, one alternative with its
 * confidence and language, and a display interpretation with one `word` token per displayed word.
 *
 * The text is what may leave the service under the span's redaction setting, and so are the tokens:
 * they are the displayed text's words (masked words stay masked), timed by the engine's words when the
 * two line up one to one, else spread over the utterance by length.
 */

export interface FinalTranscript {
  /** Unique per utterance (the message id). */
  id: string;
  /** Index into the negotiated channels; `channel` is the same channel by name (the earlier field). */
  channelId: number;
  channel: string;
  language: string;
  /** Milliseconds on the session's audio timeline. */
  startMs: number;
  endMs: number;
  /** The displayed (smart-formatted, redacted as configured) text. */
  text: string;
  /** Whole-utterance confidence, when the engine gives one. */
  confidence?: number;
  /** Engine words with their confidences (for token confidences). */
  words?: readonly RecognizedWord[];
  /** Formatted word tokens with times (for token times). */
  tokens?: readonly UtteranceToken[];
}

export function transcriptEntity(t: FinalTranscript): EventEntity {
  const confidence = clamp(t.confidence ?? mean(t.words?.filter((w) => w.kind === 'word').map((w) => w.confidence)) ?? 1);
  return {
    type: 'transcript',
    data: {
      id: t.id,
      channelId: t.channelId,
      channel: t.channel,
      isFinal: true,
      offset: seconds(t.startMs),
      duration: seconds(Math.max(0, t.endMs - t.startMs)),
      alternatives: [
        {
          confidence,
          languages: [t.language],
          interpretations: [{ type: 'display', transcript: t.text, tokens: wordTokens(t, confidence) }],
        },
      ],
    },
  };
}

interface TokenTime {
  startMs: number;
  endMs: number;
}

function wordTokens(t: FinalTranscript, confidence: number): unknown[] {
  const values = t.text.split(/\s+/).filter((v) => v.length > 0);
  const times = alignedTimes(values, t) ?? spreadTimes(values, t);
  let previousStart = -1;
  return values.map((value, i) => {
    // Offsets are distinct within an interpretation (strict clients check), and never run backwards.
    const startMs = Math.max(times[i].startMs, previousStart + 1);
    previousStart = startMs;
    const endMs = Math.max(startMs, times[i].endMs);
    return {
      type: 'word',
      value,
      confidence: clamp(
        mean(t.words?.filter((w) => w.kind === 'word' && w.startMs < endMs && w.endMs > startMs).map((w) => w.confidence)) ?? confidence,
      ),
      offset: seconds(startMs),
      duration: seconds(endMs - startMs),
      language: t.language,
    };
  });
}

/** The formatted tokens' times, when there is exactly one per displayed word. */
function alignedTimes(values: readonly string[], t: FinalTranscript): TokenTime[] | undefined {
  const tokens = t.tokens;
  if (!tokens || tokens.length !== values.length) return undefined;
  return tokens.map((token) => ({ startMs: token.start, endMs: token.end }));
}

/** Each word gets a share of the utterance proportional to its length. */
function spreadTimes(values: readonly string[], t: FinalTranscript): TokenTime[] {
  const total = values.reduce((sum, v) => sum + v.length + 1, 0);
  const span = Math.max(0, t.endMs - t.startMs);
  let at = 0;
  return values.map((v) => {
    const startMs = t.startMs + Math.round((at / total) * span);
    at += v.length + 1;
    return { startMs, endMs: t.startMs + Math.round(((at - 1) / total) * span) };
  });
}

function mean(values: ReadonlyArray<number | undefined> | undefined): number | undefined {
  const known = values?.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  if (!known || known.length === 0) return undefined;
  return known.reduce((a, b) => a + b, 0) / known.length;
}

function clamp(value: number): number {
  return Math.round(Math.min(1, Math.max(0, value)) * 1000) / 1000;
}

function seconds(ms: number): `PT${string}S` {
  return formatDuration(Math.max(0, Math.round(ms)) / 1000) as `PT${string}S`;
}
