import { beforeAll, describe, expect, it } from 'vitest';
import { NO_REWRITE, vocabularyRewrite } from '#core/vocabulary/rewrite.ts';
import {
  changedOutsideVocabulary,
  PRODUCT_VOCABULARY,
  scoreCall,
  transcriptsOf,
  vocabularyCall,
  type CallScore,
} from '#bench/support/vocabulary-call.ts';
import { createEmbeddedRecognizer } from '#gateway/recognition/embedded/embedded-recognizer.ts';
import { normalizeWords } from '#gateway/recognition/embedded/engine-words.ts';
import type { RecognitionResult } from '#gateway/recognition/recognizer.ts';
import { transcribe } from './embedded-fixtures.ts';

/**
 * What bench/vocabulary measures, held to a bound: on a synthesized support call full of product names
 * (its first eight turns here), the tenant's vocabulary in the embedded engine finds most of the names
 * that the engine alone, even with the rewrite pass, writes none of, and lowers the call's word error
 * rate; the rewrite pass changes nothing outside the vocabulary.
 */

const rewrite = vocabularyRewrite(PRODUCT_VOCABULARY);
let call: ReturnType<typeof vocabularyCall>;
let without: RecognitionResult[];
let withVocabulary: RecognitionResult[];
let before: CallScore;
let after: CallScore;

beforeAll(async () => {
  call = vocabularyCall(8);
  const recognizer = await createEmbeddedRecognizer({ decoders: 2 });
  try {
    without = (await transcribe(recognizer, call.tracks, { chunk: 1_600 })).results;
    withVocabulary = (await transcribe(recognizer, call.tracks, { chunk: 1_600, vocabulary: PRODUCT_VOCABULARY })).results;
  } finally {
    await recognizer.close();
  }
  // Before: the engine as it was, with the rewrite pass. After: the vocabulary in the decoder too.
  before = scoreCall(call, transcriptsOf(without, rewrite));
  after = scoreCall(call, transcriptsOf(withVocabulary, rewrite));
}, 300_000);

describe('custom vocabulary on a call full of product names (embedded engine)', () => {
  it('says the names it is scored on', () => {
    expect(before.termOccurrences).toBe(13);
  });

  it('finds at least two thirds of the names the engine alone finds almost none of', () => {
    expect(before.termErrorRate).toBeGreaterThanOrEqual(0.75);
    expect(after.termErrorRate).toBeLessThanOrEqual(0.34);
    expect(after.termsInserted).toBeLessThanOrEqual(1);
  });

  it('lowers the word error rate of the whole call by at least five points', () => {
    expect(after.wer).toBeLessThanOrEqual(before.wer - 0.05);
  });

  it('never shows a decoder token, and its rewrite pass changes nothing outside the vocabulary', () => {
    expect(transcriptsOf(withVocabulary, rewrite).get('customer')).not.toMatch(/vocab_/);
    expect(transcriptsOf(withVocabulary, NO_REWRITE).get('agent')).not.toMatch(/vocab_/);
    for (const result of [...without, ...withVocabulary])
      expect(changedOutsideVocabulary(result.text, PRODUCT_VOCABULARY), result.text).toBe(false);
    for (const turn of call.turns) expect(changedOutsideVocabulary(normalizeWords(turn.text).join(' '), PRODUCT_VOCABULARY)).toBe(false);
  });
});
