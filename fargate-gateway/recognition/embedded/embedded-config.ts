import { availableParallelism } from 'node:os';
import type { DecoderPaths } from './decoder-config.ts';
import { decoderPathsFromEnv } from './decoder-config.ts';
import type { SegmenterOptions } from './segmenter.ts';

export interface EmbeddedRecognizerConfig {
  /** Decoder worker threads (one decoder each, ≈90 MB). `EMBEDDED_DECODERS`, default: the cores. */
  decoders: number;
  /**
   * Seconds of complete speech segments allowed to wait for a decoder before new ones fail with 5002.
   * `EMBEDDED_MAX_PENDING_SECONDS`, default 300 per decoder (≈4.7 MB of audio each).
   */
  maxPendingSeconds: number;
  /** A decoder silent this long while it has work is restarted. `EMBEDDED_WATCHDOG_MS`. */
  watchdogMs: number;
  paths: DecoderPaths;
  /** `EMBEDDED_MIN_SILENCE_MS`, `EMBEDDED_MAX_SEGMENT_MS` override the two settings worth tuning. */
  segmenter: Partial<SegmenterOptions>;
  /**
   * Phrase-list mode: recognize only these phrases (a JSGF grammar), for flows where what can be said is
   * known (menu choices, yes/no). Every word must be in the dictionary. `EMBEDDED_PHRASES` (`|`-separated).
   */
  phrases?: readonly string[];
  /** Another worker entry, for tests of the pool's failure handling. */
  workerUrl?: URL;
  /** Called for every decoded segment, with timings and no text (metrics, bench). */
  onSegment?: (report: SegmentReport) => void;
}

/** How one segment went, in call-timeline milliseconds and decoder milliseconds. */
export interface SegmentReport {
  role: 'customer' | 'agent';
  startMs: number;
  endMs: number;
  /** Where the speech stopped, and when the silence after it had lasted long enough to end the segment. */
  speechEndMs: number;
  decidedAtMs: number;
  /** Decoder time on the segment in all, and after its end (what the final result waited for). */
  busyMs: number;
  finishMs: number;
  recognized: boolean;
}

/** Languages the embedded models cover. */
export const EMBEDDED_LANGUAGES: readonly string[] = ['en-US'];

function positiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return value;
}

export function embeddedConfigFromEnv(env: NodeJS.ProcessEnv = process.env): EmbeddedRecognizerConfig {
  const decoders = positiveInt(env, 'EMBEDDED_DECODERS', availableParallelism());
  const segmenter: Partial<SegmenterOptions> = {};
  if (env.EMBEDDED_MIN_SILENCE_MS) segmenter.minSilenceMs = positiveInt(env, 'EMBEDDED_MIN_SILENCE_MS', 0);
  if (env.EMBEDDED_MAX_SEGMENT_MS) segmenter.maxSegmentMs = positiveInt(env, 'EMBEDDED_MAX_SEGMENT_MS', 0);
  const phrases = env.EMBEDDED_PHRASES?.split('|')
    .map((p) => p.trim())
    .filter(Boolean);
  return {
    decoders,
    maxPendingSeconds: positiveInt(env, 'EMBEDDED_MAX_PENDING_SECONDS', 300 * decoders),
    watchdogMs: positiveInt(env, 'EMBEDDED_WATCHDOG_MS', 30_000),
    paths: decoderPathsFromEnv(env),
    segmenter,
    phrases: phrases?.length ? phrases : undefined,
  };
}
