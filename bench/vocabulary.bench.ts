/**
 * Custom vocabulary in the embedded engine, on a support call full of invented product names synthesized
 * with flite (bench/support/vocabulary-call.ts: 16 turns, two voices, 8 kHz µ-law), decoded three ways:
 *   none            the engine alone, no vocabulary anywhere
 *   rewrite         the engine alone, results through the rewrite pass (what the engine did before its
 *                   decoder learnt vocabularies)
 *   engine+rewrite  the tenant's phrases in the decoder too (the default now)
 * One JSON object per line:
 *   vocabulary-call       what was said: turns, seconds, words, vocabulary terms
 *   vocabulary-wer        per way: word error rate of the call, and of the vocabulary terms (missed +
 *                         inserted, over the terms said)
 *   vocabulary-term       per phrase: how often said, and found without and with the decoder's vocabulary
 *   vocabulary-outside    the rewrite pass over every result and every reference sentence: how many it
 *                         changed outside the vocabulary's matches (must be 0)
 *   vocabulary-neutral    the bundled sample call (no product names) without and with the vocabulary: what
 *                         the added words cost a call that never says them
 *   vocabulary-apply      giving a fresh decoder a list (9 phrases; 1,000 generated ones), and making a
 *                         fresh decoder (what switching a decoder from one list to another costs)
 *
 *   npm run bench -- vocabulary        EMBEDDED_DECODERS sets the pool size (default: the cores)
 */
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import type { VocabularyPhrase } from '#core/vocabulary/custom-vocabulary.ts';
import { NO_REWRITE, vocabularyRewrite } from '#core/vocabulary/rewrite.ts';
import { decoderPathsFromEnv } from '#gateway/recognition/embedded/decoder-config.ts';
import { decoderVocabulary, VOCABULARY_MODEL, vocabularyWords } from '#gateway/recognition/embedded/decoder-vocabulary.ts';
import { createEmbeddedRecognizer } from '#gateway/recognition/embedded/embedded-recognizer.ts';
import { normalizeWords } from '#gateway/recognition/embedded/engine-words.ts';
import { PocketSphinxDecoder } from '#gateway/recognition/embedded/pocketsphinx-decoder.ts';
import type { RecognitionResult } from '#gateway/recognition/recognizer.ts';
import { callWordErrors, loadFixture, SAMPLE_CALL, transcribe } from '#test/unit/recognition/embedded-fixtures.ts';
import { changedOutsideVocabulary, PRODUCT_VOCABULARY, scoreCall, transcriptsOf, vocabularyCall } from './support/vocabulary-call.ts';

const load = () => Math.round(loadavg()[0] * 100) / 100;
const print = (line: Record<string, unknown>) => console.log(JSON.stringify({ ...line, load1m: load() }));
const round = (n: number, digits = 3) => Math.round(n * 10 ** digits) / 10 ** digits;
const decoders = Number(process.env.EMBEDDED_DECODERS) || availableParallelism();
const CHUNK = 1_600;

const call = vocabularyCall();
const rewrite = vocabularyRewrite(PRODUCT_VOCABULARY);
const said = scoreCall(call, new Map());
print({
  bench: 'vocabulary-call',
  turns: call.turns.length,
  seconds: round(call.durationMs / 1000, 1),
  referenceWords: said.referenceWords,
  phrases: PRODUCT_VOCABULARY.length,
  termOccurrences: said.termOccurrences,
});

const recognizer = await createEmbeddedRecognizer({ decoders });
let without: RecognitionResult[];
let withVocabulary: RecognitionResult[];
try {
  without = (await transcribe(recognizer, call.tracks, { chunk: CHUNK })).results;
  withVocabulary = (await transcribe(recognizer, call.tracks, { chunk: CHUNK, vocabulary: PRODUCT_VOCABULARY })).results;

  const ways = [
    ['none', transcriptsOf(without, NO_REWRITE)],
    ['rewrite', transcriptsOf(without, rewrite)],
    ['engine+rewrite', transcriptsOf(withVocabulary, rewrite)],
  ] as const;
  for (const [way, transcripts] of ways) {
    const score = scoreCall(call, transcripts);
    print({
      bench: 'vocabulary-wer',
      way,
      wer: round(score.wer),
      wordErrors: score.wordErrors,
      referenceWords: score.referenceWords,
      termErrorRate: round(score.termErrorRate),
      termsMissed: score.termsMissed,
      termsInserted: score.termsInserted,
      termOccurrences: score.termOccurrences,
    });
  }
  for (const entry of PRODUCT_VOCABULARY) {
    const only = [entry];
    const before = scoreCall(call, ways[1][1], only);
    const after = scoreCall(call, ways[2][1], only);
    print({
      bench: 'vocabulary-term',
      phrase: entry.phrase,
      said: before.termOccurrences,
      foundBefore: before.termOccurrences - before.termsMissed,
      foundAfter: after.termOccurrences - after.termsMissed,
      insertedAfter: after.termsInserted,
    });
  }

  const sample = loadFixture(SAMPLE_CALL);
  const sentences = [...without, ...withVocabulary].map((r) => r.text);
  const references = [...call.turns.map((t) => t.text), ...sample.turns.flatMap((t) => [t.text, t.spoken])].map((t) =>
    normalizeWords(t).join(' '),
  );
  const changed = [...sentences, ...references].filter((text) => changedOutsideVocabulary(text, PRODUCT_VOCABULARY));
  print({
    bench: 'vocabulary-outside',
    results: sentences.length,
    referenceSentences: references.length,
    changedOutsideVocabulary: changed.length,
  });

  const sampleWithout = callWordErrors(sample.turns, (await transcribe(recognizer, sample.tracks, { chunk: CHUNK })).results);
  const sampleWith = callWordErrors(
    sample.turns,
    (await transcribe(recognizer, sample.tracks, { chunk: CHUNK, vocabulary: PRODUCT_VOCABULARY })).results,
  );
  print({
    bench: 'vocabulary-neutral',
    call: 'samples/sample-call.wav',
    werWithout: round(sampleWithout.wer),
    werWith: round(sampleWith.wer),
    errorsWithout: sampleWithout.errors,
    errorsWith: sampleWith.errors,
    referenceWords: sampleWith.referenceWords,
  });
} finally {
  await recognizer.close();
}

// What a decoder pays to take a list: in the worker, a fresh decoder plus the list's words.
const paths = decoderPathsFromEnv();
let started = performance.now();
let decoder = new PocketSphinxDecoder(paths);
const freshMs = performance.now() - started;
const dictionaryWords = readFileSync(paths.dict, 'utf8')
  .split('\n')
  .map((line) => line.split(' ')[0])
  .filter((word) => /^[a-z]{3,}$/.test(word));
const generated: VocabularyPhrase[] = Array.from({ length: 1_000 }, (_, i) => ({
  phrase: `Product ${i}`,
  soundsLike: [`${dictionaryWords[(i * 131) % dictionaryWords.length]} ${dictionaryWords[(i * 977 + 17) % dictionaryWords.length]}`],
}));
for (const list of [PRODUCT_VOCABULARY, generated]) {
  decoder.free();
  decoder = new PocketSphinxDecoder(paths);
  started = performance.now();
  const { words, phrases } = vocabularyWords(decoderVocabulary(list)!, (word) => decoder.pronunciation(word));
  decoder.addWords(words, VOCABULARY_MODEL);
  print({
    bench: 'vocabulary-apply',
    phrases: phrases.size,
    words: words.length,
    applyMs: Math.round(performance.now() - started),
    freshDecoderMs: Math.round(freshMs),
  });
}
decoder.free();
