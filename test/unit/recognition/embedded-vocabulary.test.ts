import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { logger } from '#core/logger.ts';
import type { VocabularyPhrase } from '#core/vocabulary/custom-vocabulary.ts';
import { synthesize } from '#bench/support/flite.ts';
import type { EmbeddedRecognizer } from '#gateway/recognition/embedded/embedded-recognizer.ts';
import { createEmbeddedRecognizer } from '#gateway/recognition/embedded/embedded-recognizer.ts';
import type { Role } from '#core/domain/participant.ts';
import { transcribe } from './embedded-fixtures.ts';

/**
 * A tenant's custom vocabulary in the real engine, on speech synthesized with flite: the decoder learns
 * each phrase as a word pronounced like its spoken forms, writes it exactly as the phrase, and a decoder
 * that learnt one tenant's words never lends them to another's calls.
 */

const ZENTRIO: VocabularyPhrase = { phrase: 'Zentrio', soundsLike: ['zen tree oh'] };
const PAYVORA: VocabularyPhrase = { phrase: 'Payvora Plus', soundsLike: ['pay vora plus'] };
const KLARVEX: VocabularyPhrase = { phrase: 'Klarvex', soundsLike: ['clar vex'] };

/** One utterance as a customer's channel: half a second of silence either side. */
function utterance(text: string): Map<Role, Int16Array> {
  const speech = synthesize(text, 'rms');
  const pcm = new Int16Array(speech.length + 8_000);
  pcm.set(speech, 4_000);
  return new Map([['customer', pcm]]);
}

async function heard(recognizer: EmbeddedRecognizer, audio: Map<Role, Int16Array>, vocabulary?: VocabularyPhrase[]) {
  const transcript = await transcribe(recognizer, audio, { chunk: 1_600, vocabulary });
  expect(transcript.errors).toEqual([]);
  return transcript;
}

const textOf = (transcript: Awaited<ReturnType<typeof heard>>) => transcript.results.map((r) => r.text).join(' | ');

let cancel: Map<Role, Int16Array>;
let move: Map<Role, Int16Array>;
let recognizer: EmbeddedRecognizer;

beforeAll(async () => {
  cancel = utterance('Please cancel my Zentrio subscription today.');
  move = utterance('Then move the payment to Payvora Plus.');
  recognizer = await createEmbeddedRecognizer({ decoders: 1 });
}, 60_000);

afterAll(async () => {
  await recognizer?.close();
});

describe('the embedded engine with a custom vocabulary', () => {
  it('learns each phrase from its spoken forms and writes it exactly as the phrase, one timed word per written word', async () => {
    const before = [textOf(await heard(recognizer, cancel)), textOf(await heard(recognizer, move))];
    // Unknown words to the model: without the vocabulary it cannot write them.
    expect(before.join(' ')).not.toMatch(/Zentrio|Payvora/i);

    const vocabulary = [ZENTRIO, PAYVORA];
    expect(textOf(await heard(recognizer, cancel, vocabulary))).toContain('Zentrio');
    const moved = await heard(recognizer, move, vocabulary);
    expect(textOf(moved)).toContain('Payvora Plus');
    const words = moved.results.flatMap((r) => r.words ?? []);
    const at = words.findIndex((w) => w.content === 'Payvora');
    expect(words[at + 1].content).toBe('Plus');
    expect(words[at].endMs).toBeLessThanOrEqual(words[at + 1].startMs);
    expect(words.every((w) => !w.content.startsWith('vocab_'))).toBe(true);
  }, 120_000);

  it('never lends one list’s words to a call with another list or none: the decoder is the model’s own again', async () => {
    // One decoder serves every call here, so each list has been in it in turn.
    const plain = [textOf(await heard(recognizer, cancel)), textOf(await heard(recognizer, move))];
    await heard(recognizer, cancel, [ZENTRIO, PAYVORA]);
    expect([textOf(await heard(recognizer, cancel)), textOf(await heard(recognizer, move))]).toEqual(plain);
    const other = textOf(await heard(recognizer, cancel, [KLARVEX]));
    expect(other).not.toContain('Zentrio');
    // And the first list again (a fresh decoder learns it anew).
    expect(textOf(await heard(recognizer, cancel, [ZENTRIO, PAYVORA]))).toContain('Zentrio');
  }, 120_000);

  it('keeps two tenants’ lists apart when their calls are decoded at the same time', async () => {
    const pool = await createEmbeddedRecognizer({ decoders: 2 });
    try {
      const both = new Map<Role, Int16Array>([['customer', new Int16Array([...cancel.get('customer')!, ...move.get('customer')!])]]);
      const [zentrioTenant, payvoraTenant] = await Promise.all([heard(pool, both, [ZENTRIO]), heard(pool, both, [PAYVORA])]);
      expect(textOf(zentrioTenant)).toContain('Zentrio');
      expect(textOf(zentrioTenant)).not.toContain('Payvora');
      expect(textOf(payvoraTenant)).toContain('Payvora Plus');
      expect(textOf(payvoraTenant)).not.toContain('Zentrio');
    } finally {
      await pool.close();
    }
  }, 120_000);

  it('leaves out, with the reason in the log, a spoken form it cannot pronounce, and applies the rest', async () => {
    const warn = vi.spyOn(logger, 'warn');
    try {
      const unpronounceable = { phrase: 'Qwzx', soundsLike: ['qwzx'] };
      expect(textOf(await heard(recognizer, cancel, [unpronounceable, ZENTRIO]))).toContain('Zentrio');
      const report = warn.mock.calls.find(([message]) => String(message).includes('cannot pronounce'));
      expect(report?.[1]).toMatchObject({
        skippedCount: 2,
        skipped: [
          { phrase: 'Qwzx', soundsLike: 'qwzx', reason: 'no dictionary pronunciation for "qwzx"' },
          { phrase: 'Qwzx', reason: 'none of its spoken forms can be pronounced' },
        ],
      });
    } finally {
      warn.mockRestore();
    }
  });
});
