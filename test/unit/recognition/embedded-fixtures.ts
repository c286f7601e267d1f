import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import wavefile from 'wavefile';
import type { Role } from '#core/domain/participant.ts';
import { wordErrors } from '#bench/support/word-error-rate.ts';
import type { VocabularyPhrase } from '#core/vocabulary/custom-vocabulary.ts';
import type { RecognitionResult, Recognizer } from '#gateway/recognition/recognizer.ts';

/** Test audio made by scripts/make-fixtures.sh, and helpers to run it through a recognizer (tests, bench). */

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const SAMPLE_CALL = path.join(REPO_ROOT, 'samples/sample-call.wav');
export const SHORT_FIXTURE = path.join(REPO_ROOT, 'test/fixtures/audio/short-1.wav');

export interface ReferenceTurn {
  role: Role;
  startMs: number;
  endMs: number;
  /** Written form, with digits and punctuation. */
  text: string;
  /** Exactly what was synthesized: the words WER is scored against. */
  spoken: string;
}

export interface FixtureCall {
  /** One PCM16 track per role, in the order of the reference's `channels`. */
  tracks: Map<Role, Int16Array>;
  turns: ReferenceTurn[];
  durationMs: number;
}

/** Reads a µ-law WAV made by make-fixtures.sh and its `.json` reference next to it. */
export function loadFixture(wavPath: string): FixtureCall {
  const reference = JSON.parse(fs.readFileSync(wavPath.replace(/\.wav$/, '.json'), 'utf8')) as {
    channels: Role[];
    durationMs: number;
    turns: ReferenceTurn[];
  };
  const wav = new wavefile.WaveFile(fs.readFileSync(wavPath));
  wav.fromMuLaw();
  const samples = wav.getSamples(false, Int16Array) as unknown as Int16Array | Int16Array[];
  const channels = Array.isArray(samples) ? samples : [samples];
  const tracks = new Map<Role, Int16Array>();
  reference.channels.forEach((role, i) => tracks.set(role, channels[i]));
  return { tracks, turns: reference.turns, durationMs: reference.durationMs };
}

export interface Transcript {
  results: RecognitionResult[];
  errors: Array<{ role: Role; statusCode: number; message: string }>;
}

/** Streams tracks into one recognition session, interleaved chunk by chunk as the gateway does. */
export async function transcribe(
  recognizer: Recognizer,
  tracks: Map<Role, Int16Array>,
  options: { chunk?: number; origin?: number; language?: string; wordTimings?: boolean; vocabulary?: readonly VocabularyPhrase[] } = {},
): Promise<Transcript> {
  const chunk = options.chunk ?? 160;
  const origin = options.origin ?? 0;
  const transcript: Transcript = { results: [], errors: [] };
  const session = recognizer.open(
    {
      conversationId: 'fixture',
      language: options.language ?? 'en-US',
      sampleRate: 8000,
      roles: [...tracks.keys()],
      wordTimings: options.wordTimings ?? true,
      ...(options.vocabulary ? { vocabulary: Promise.resolve(options.vocabulary) } : {}),
    },
    {
      onResult: (result) => transcript.results.push(result),
      onError: (role, error) => transcript.errors.push({ role, statusCode: error.statusCode, message: error.message }),
    },
  );
  const length = Math.max(...[...tracks.values()].map((t) => t.length));
  for (let i = 0; i < length; i += chunk) {
    for (const [role, pcm] of tracks) if (i < pcm.length) session.write(role, pcm.slice(i, i + chunk), origin + i);
  }
  await session.end();
  return transcript;
}

/** Every role's results joined in order, against every role's reference turns: errors summed. */
export function callWordErrors(
  turns: ReferenceTurn[],
  results: RecognitionResult[],
): { errors: number; referenceWords: number; wer: number } {
  let errors = 0;
  let referenceWords = 0;
  for (const role of new Set(turns.map((t) => t.role))) {
    const w = wordErrors(
      turns
        .filter((t) => t.role === role)
        .map((t) => t.spoken)
        .join(' '),
      results
        .filter((r) => r.role === role)
        .map((r) => r.text)
        .join(' '),
    );
    errors += w.errors;
    referenceWords += w.referenceWords;
  }
  return { errors, referenceWords, wer: referenceWords ? errors / referenceWords : 0 };
}
