import type { Role } from '#core/domain/participant.ts';
import type { VocabularyPhrase } from '#core/vocabulary/custom-vocabulary.ts';
import type { STREAM_STATUS, StreamFailureCode } from '#core/contract/status-codes.ts';

/**
 * One streaming speech recognizer behind one interface: the embedded offline engine locally and in
 * tests, Amazon Transcribe streaming in AWS, a counting sink where only the audio path matters.
 *
 * All times are on the call's audio timeline (AudioHook §11): sample 0 is the first sample of the
 * session, and time Genesys discarded or skipped while paused is counted. The gateway tells the
 * recognizer where each chunk lies (`startSample`), so an engine never has to know about pauses; a gap
 * between two chunks is simply audio that was never sent.
 */
export interface Recognizer {
  /**
   * Canonical tags this engine can recognize. A span in another language is refused with 4050 before
   * any stream opens, so start-streaming answers it at once. Absent: every supported API language.
   */
  readonly languages?: readonly string[];
  /** Opens recognition for one start→stop span of a call, for the participants present. */
  open(options: RecognitionOptions, listener: RecognitionListener): RecognitionSession;
  /** Releases engine resources (worker threads, connections). */
  close(): Promise<void>;
}

export interface RecognitionOptions {
  conversationId: string;
  /** Canonical IETF tag: `en-US` | `es-US`. */
  language: string;
  sampleRate: 8000;
  /** Participants whose audio will be written. */
  roles: readonly Role[];
  /** Word timings and confidences are wanted in results. */
  wordTimings: boolean;
  /**
   * The tenant's custom vocabulary as the span loaded it; settles within about a second of the start,
   * undefined when it could not be loaded by then (never rejects). The embedded engine adds its phrases
   * to the decoder and waits for it before decoding a participant's first segment; others ignore it.
   */
  vocabulary?: Promise<readonly VocabularyPhrase[] | undefined>;
  /** An Amazon Transcribe custom vocabulary that is READY (Transcribe engine only; others ignore it). */
  vocabularyName?: string;
}

export interface RecognitionSession {
  /**
   * PCM16 samples of one participant. `startSample` is the position of `pcm[0]` on the call timeline
   * at 8 kHz. Returns synchronously; engines queue or hand off the work.
   */
  write(role: Role, pcm: Int16Array, startSample: number): void;
  /**
   * True when `write` copies whatever it keeps of `pcm` before it returns. The gateway then decodes every
   * frame into one buffer it reuses, instead of fresh memory per frame (at thousands of calls, fresh
   * memory per frame is what the garbage collector spends its time on). Absent: the session may keep
   * the arrays it is given, and each frame gets its own.
   */
  readonly copiesInput?: boolean;
  /** Ends the span: flushes every pending final result to the listener, then resolves. */
  end(): Promise<void>;
}

export interface RecognitionListener {
  onResult(result: RecognitionResult): void;
  /** A participant's recognition failed; the span goes on for the other participant. */
  onError(role: Role, error: RecognitionError): void;
}

export interface RecognitionResult {
  role: Role;
  /** Engine text as recognized (before smart formatting and redaction). */
  text: string;
  /** Milliseconds on the call timeline. */
  startMs: number;
  endMs: number;
  confidence?: number;
  words?: RecognizedWord[];
  /** Spans the engine itself identified as personal data (Amazon Transcribe PII identification). */
  entities?: RecognizedEntity[];
}

export interface RecognizedWord {
  /** A word or a punctuation mark (`kind: 'punctuation'`). */
  content: string;
  kind: 'word' | 'punctuation';
  startMs: number;
  endMs: number;
  confidence?: number;
}

export interface RecognizedEntity {
  category: string;
  type: string;
  content: string;
  startMs?: number;
  endMs?: number;
}

/** The contract's status codes that an engine failure maps to. */
export type RecognitionStatusCode = Exclude<StreamFailureCode, typeof STREAM_STATUS.ENCODING_NOT_SUPPORTED>;

export class RecognitionError extends Error {
  /** Audio that will never be recognized because of this failure, when the engine knows how much. */
  readonly lostAudioMs: number | undefined;

  constructor(
    readonly statusCode: RecognitionStatusCode,
    message: string,
    options?: { cause?: unknown; lostAudioMs?: number },
  ) {
    super(message, options);
    this.name = 'RecognitionError';
    this.lostAudioMs = options?.lostAudioMs;
  }
}
