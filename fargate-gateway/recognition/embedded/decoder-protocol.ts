import type { DecoderPaths, DecoderSearch } from './decoder-config.ts';
import type { DecoderVocabulary, SkippedPhrase } from './decoder-vocabulary.ts';
import type { DecodedUtterance } from './pocketsphinx-decoder.ts';

/** Messages between the decoder pool (main thread) and a decoder worker. One job is one segment. */

export interface DecoderWorkerData {
  paths: DecoderPaths;
  search: DecoderSearch;
}

export type ToWorker =
  /** From the next job on, the decoder holds exactly this list's words (none: only the model's own). */
  | { type: 'vocabulary'; vocabulary?: DecoderVocabulary }
  /** Starts a segment; `mean` is the speaker's cepstral mean after their previous segment. */
  | { type: 'start'; job: number; mean?: Float32Array }
  /** The next audio of the job's segment (its buffer is transferred). */
  | { type: 'audio'; job: number; pcm: Int16Array }
  /** The segment may be complete: finish decoding it now, ready for `end` (more audio undoes this). */
  | { type: 'settle'; job: number }
  /** The segment is complete: decode the rest and answer with `result`. */
  | { type: 'end'; job: number }
  /** Drop the job and hand its audio back (`aborted`), so it can be decoded elsewhere later. */
  | { type: 'abort'; job: number }
  /** Liveness check for the watchdog: answered after everything sent before it. */
  | { type: 'ping'; seq: number };

export type FromWorker =
  | { type: 'ready'; loadMs: number; speakerMeans: boolean }
  /** The decoder could not be created; `unavailable` marks a missing library or model. */
  | { type: 'failed'; message: string; unavailable: boolean }
  /** `busyMs`: decoder time spent on the job; `finishMs`: of which after its end (the end-of-utterance pass). */
  | { type: 'result'; job: number; utterance: DecodedUtterance; mean?: Float32Array; busyMs: number; finishMs: number }
  | { type: 'aborted'; job: number; chunks: Int16Array[] }
  | { type: 'error'; job: number; message: string }
  | { type: 'pong'; seq: number }
  /**
   * A list is in place (`key`; none: the model's own words), with `phrases` of its entries added as
   * `words` pronunciations in `ms`, or, with `error`, not (the decoder then holds none of its words).
   */
  | { type: 'vocabulary'; key?: string; phrases: number; words: number; skipped: SkippedPhrase[]; ms: number; error?: string };
