import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmbeddedRecognizer } from '#gateway/recognition/embedded/embedded-recognizer.ts';
import { createEmbeddedRecognizer } from '#gateway/recognition/embedded/embedded-recognizer.ts';
import { INSTALL_COMMAND, PocketSphinxUnavailableError } from '#gateway/recognition/embedded/pocketsphinx.ts';
import { decoderPathsFromEnv } from '#gateway/recognition/embedded/decoder-config.ts';
import { PocketSphinxDecoder } from '#gateway/recognition/embedded/pocketsphinx-decoder.ts';
import { SegmentDecoding } from '#gateway/recognition/embedded/segment-decoding.ts';
import { wordErrors } from '#bench/support/word-error-rate.ts';
import type { FixtureCall, Transcript } from './embedded-fixtures.ts';
import { callWordErrors, loadFixture, SAMPLE_CALL, SHORT_FIXTURE, transcribe } from './embedded-fixtures.ts';

/** The real engine on the synthetic fixtures (scripts/make-fixtures.sh). */

const TURN_TOLERANCE_MS = 700;

let recognizer: EmbeddedRecognizer;
let short: FixtureCall;
let call: FixtureCall;
let callTranscript: Transcript;

beforeAll(async () => {
  recognizer = await createEmbeddedRecognizer({ decoders: 2 });
  short = loadFixture(SHORT_FIXTURE);
  call = loadFixture(SAMPLE_CALL);
  callTranscript = await transcribe(recognizer, call.tracks);
}, 120_000);

afterAll(async () => {
  await recognizer?.close();
});

describe('EmbeddedRecognizer on the sample call', () => {
  it('transcribes the two-party call with a word error rate of at most 20 %', () => {
    expect(callTranscript.errors).toEqual([]);
    const { wer } = callWordErrors(call.turns, callTranscript.results);
    expect(wer).toBeLessThanOrEqual(0.2);
  });

  it('gives each result its speaker and times inside that speaker’s turns', () => {
    for (const result of callTranscript.results) {
      const turn = call.turns.find(
        (t) => t.role === result.role && result.startMs >= t.startMs - TURN_TOLERANCE_MS && result.endMs <= t.endMs + TURN_TOLERANCE_MS,
      );
      expect(turn, `${result.role} ${result.startMs}-${result.endMs}`).toBeDefined();
      expect(result.endMs).toBeGreaterThan(result.startMs);
    }
    // Every turn is found, starting where the speaker started.
    for (const turn of call.turns) {
      const first = callTranscript.results.find((r) => r.role === turn.role && r.endMs > turn.startMs && r.startMs < turn.endMs);
      expect(first, `${turn.role} turn at ${turn.startMs}`).toBeDefined();
      expect(Math.abs(first!.startMs - turn.startMs)).toBeLessThanOrEqual(TURN_TOLERANCE_MS);
    }
  });

  it('delivers each speaker’s results in order, with word timings and confidences', () => {
    for (const role of ['customer', 'agent'] as const) {
      const starts = callTranscript.results.filter((r) => r.role === role).map((r) => r.startMs);
      expect(starts).toEqual([...starts].sort((a, b) => a - b));
    }
    for (const result of callTranscript.results) {
      expect(result.text).not.toBe('');
      expect(result.confidence).toBeGreaterThan(0);
      expect(result.confidence).toBeLessThanOrEqual(1);
      expect(result.words!.map((w) => w.content).join(' ')).toBe(result.text);
      for (const word of result.words!) {
        expect(word.kind).toBe('word');
        expect(word.startMs).toBeGreaterThanOrEqual(result.startMs);
        expect(word.endMs).toBeLessThanOrEqual(result.endMs);
        expect(word.endMs).toBeGreaterThan(word.startMs);
      }
    }
  });
});

describe('EmbeddedRecognizer on one voice', () => {
  it('recognizes the sentences of the mono fixture', async () => {
    const { results, errors } = await transcribe(recognizer, short.tracks, { wordTimings: false });
    expect(errors).toEqual([]);
    const [turn] = short.turns;
    expect(wordErrors(turn.spoken, results.map((r) => r.text).join(' ')).wer).toBeLessThanOrEqual(0.15);
    expect(results.every((r) => r.role === 'agent' && r.words === undefined)).toBe(true);
    expect(Math.abs(results[0].startMs - turn.startMs)).toBeLessThanOrEqual(TURN_TOLERANCE_MS);
    expect(Math.abs(results[results.length - 1].endMs - turn.endMs)).toBeLessThanOrEqual(TURN_TOLERANCE_MS);
  });

  it('maps onto the call timeline whatever the chunk size and wherever the span starts', async () => {
    const reference = await transcribe(recognizer, short.tracks, { chunk: 160 });
    const shifted = await transcribe(recognizer, short.tracks, { chunk: 1000, origin: 8000 * 10 });
    const shift = (t: Transcript) =>
      t.results.map((r) => ({
        ...r,
        startMs: r.startMs - 10_000,
        endMs: r.endMs - 10_000,
        words: r.words?.map((w) => ({ ...w, startMs: w.startMs - 10_000, endMs: w.endMs - 10_000 })),
      }));
    expect(shift(shifted)).toEqual(reference.results);
  });

  it('end() flushes speech that was still going on', async () => {
    // Cut the audio in the middle of the last word: no silence will ever close that segment.
    const cut = new Map([...short.tracks].map(([role, pcm]) => [role, pcm.slice(0, Math.round(8 * (short.turns[0].endMs - 300)))]));
    const { results } = await transcribe(recognizer, cut);
    expect(results.length).toBeGreaterThan(0);
    expect(results.map((r) => r.text).join(' ')).toContain('password');
  });

  it('fails a language it has no model for with 4050, without throwing', async () => {
    const { results, errors } = await transcribe(recognizer, short.tracks, { language: 'es-US' });
    expect(results).toEqual([]);
    expect(errors.map((e) => [e.role, e.statusCode])).toEqual([['agent', 4050]]);
  });
});

describe('SegmentDecoding', () => {
  // Four real decodes of a 5 s clip, all CPU: on a loaded 2-core CI machine that alone can pass the
  // default 30 s, so this test gets room for the work it does (it waits on nothing).
  it('gives the same transcript when finished early and resumed, whatever the pieces', { timeout: 120_000 }, () => {
    const decoder = new PocketSphinxDecoder(decoderPathsFromEnv());
    try {
      const pcm = short.tracks.get('agent')!.slice(2400, 8 * 5700);
      const run = (pieces: number, settleEvery: number, mean?: Float32Array) => {
        const decoding = new SegmentDecoding(decoder, mean);
        const size = Math.ceil(pcm.length / pieces);
        for (let i = 0, k = 0; i < pcm.length; i += size, k++) {
          decoding.add(pcm.slice(i, i + size));
          if (settleEvery && k % settleEvery === 0) decoding.finish();
        }
        return decoding.finish();
      };
      // A new speaker (warm-up on the first 1.5 s), then one with a mean of their own.
      const first = run(1, 0);
      expect(first.utterance.text).toContain('password');
      expect(run(4, 2)).toEqual(first);
      const next = run(3, 0, first.mean);
      expect(run(6, 3, first.mean)).toEqual(next);
    } finally {
      decoder.free();
    }
  });
});

describe('createEmbeddedRecognizer', () => {
  it('names the packages to install when the engine library is missing', async () => {
    const failure = createEmbeddedRecognizer({ decoders: 1, paths: { library: '/nonexistent/libpocketsphinx.so.3' } as never });
    await expect(failure).rejects.toBeInstanceOf(PocketSphinxUnavailableError);
    await expect(failure).rejects.toThrow(INSTALL_COMMAND);
  });

  it('recognizes exactly the listed phrases in phrase-list mode', async () => {
    const customer = call.turns.filter((t) => t.role === 'customer');
    const phrases = await createEmbeddedRecognizer({ decoders: 1, phrases: customer.map((t) => t.spoken) });
    try {
      const { results } = await transcribe(phrases, new Map([['customer', call.tracks.get('customer')!]]));
      expect(results.map((r) => r.text)).toEqual(customer.map((t) => wordsOf(t.spoken)));
    } finally {
      await phrases.close();
    }
  });
});

function wordsOf(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z' ]/g, ' ')
    .split(/\s+/)
    .filter(Boolean)
    .join(' ');
}
