import { createHash } from 'node:crypto';
import type { VocabularyPhrase } from '#core/vocabulary/custom-vocabulary.ts';
import type { DecodedUtterance, DecodedWord } from './pocketsphinx-decoder.ts';

/**
 * A tenant's custom vocabulary as the embedded engine uses it: each phrase becomes one word of the
 * decoder's dictionary and a unigram of its language model, pronounced the way its `soundsLike` forms
 * are (the dictionary's phones of each spoken word, in order; each form one alternative pronunciation).
 *
 * The decoder's word is a token no dictionary holds (`vocab_3`), so a phrase of several words, or one
 * spelled with capitals and digits, is still one word to the decoder; results spell it back as the
 * phrase, exactly. Words cannot be taken out of a decoder, so a decoder that holds one list's words
 * serves only spans with that same list (decoder-pool.ts); `key` says which list that is.
 */

export interface DecoderVocabulary {
  /** Identifies the list's content: decoders with the same key hold exactly the same words. */
  key: string;
  phrases: readonly VocabularyPhrase[];
}

/** A word to add to the decoder: `vocab_3`, or `vocab_3(2)` for its second pronunciation. */
interface VocabularyWord {
  word: string;
  /** Phones of the acoustic model's set, space-separated. */
  phones: string;
}

/** An entry, or one of its spoken forms, that the decoder cannot be given, and why. */
export interface SkippedPhrase {
  phrase: string;
  soundsLike?: string;
  reason: string;
}

export interface DecoderWords {
  words: VocabularyWord[];
  /** Decoder token → the phrase it stands for. */
  phrases: Map<string, string>;
  skipped: SkippedPhrase[];
}

const TOKEN_PREFIX = 'vocab_';

/**
 * How much the phrases weigh in the language model (PocketSphinxDecoder.addWords): 1 % of the probability
 * mass goes to a model of the phrases alone, in which each has 5 %. On bench/vocabulary's call: 21 of 24
 * terms found (none without), none written where it was not said.
 */
export const VOCABULARY_MODEL = { probability: 0.05, weight: 0.01 } as const;

/** The list a span applies, or undefined when no entry has a spoken form (nothing to add). */
export function decoderVocabulary(phrases: readonly VocabularyPhrase[]): DecoderVocabulary | undefined {
  const usable = phrases.filter((p) => p.soundsLike.length > 0).map(({ phrase, soundsLike }) => ({ phrase, soundsLike: [...soundsLike] }));
  if (usable.length === 0) return undefined;
  const key = createHash('sha256').update(JSON.stringify(usable)).digest('base64url').slice(0, 22);
  return { key, phrases: usable };
}

/**
 * The words to add for a list, given the decoder's dictionary (`pronounce`: a word's phones, or
 * undefined). A spoken form with a word the dictionary lacks is skipped, as is one pronounced exactly
 * like an earlier entry's (the rewrite pass also gives a shared spoken form to the first entry); an
 * entry left without a pronunciation is skipped whole.
 */
export function vocabularyWords(vocabulary: DecoderVocabulary, pronounce: (word: string) => string | undefined): DecoderWords {
  const words: VocabularyWord[] = [];
  const phrases = new Map<string, string>();
  const skipped: SkippedPhrase[] = [];
  const claimed = new Map<string, string>();
  vocabulary.phrases.forEach(({ phrase, soundsLike }, index) => {
    const token = `${TOKEN_PREFIX}${index}`;
    const pronunciations: string[] = [];
    for (const spoken of soundsLike) {
      const phones: string[] = [];
      const missing = spokenWords(spoken).find((word) => {
        const found = pronounce(word);
        if (found) phones.push(found);
        return !found;
      });
      if (missing !== undefined) {
        skipped.push({ phrase, soundsLike: spoken, reason: `no dictionary pronunciation for "${missing}"` });
        continue;
      }
      const pronunciation = phones.join(' ');
      const owner = claimed.get(pronunciation);
      if (owner !== undefined && owner !== token) {
        skipped.push({ phrase, soundsLike: spoken, reason: `pronounced like an earlier entry ("${phrases.get(owner)}")` });
        continue;
      }
      if (owner === undefined) {
        claimed.set(pronunciation, token);
        pronunciations.push(pronunciation);
      }
    }
    if (pronunciations.length === 0) {
      skipped.push({ phrase, reason: 'none of its spoken forms can be pronounced' });
      return;
    }
    phrases.set(token, phrase);
    pronunciations.forEach((phones, i) => words.push({ word: i === 0 ? token : `${token}(${i + 1})`, phones }));
  });
  return { words, phrases, skipped };
}

/** A spoken form's dictionary words: lower case, hyphenated words apart ("e-pass" → "e", "pass"). */
function spokenWords(spoken: string): string[] {
  return spoken
    .toLowerCase()
    .split(/[\s-]+/)
    .filter(Boolean);
}

/**
 * Writes each vocabulary token of a decoded utterance as its phrase. A phrase of several words becomes
 * that many words, sharing the token's frames in proportion to their length, so word timings stay
 * one word each.
 */
export function spellPhrases(utterance: DecodedUtterance, phrases: ReadonlyMap<string, string>): DecodedUtterance {
  if (phrases.size === 0 || !utterance.text) return utterance;
  const text = utterance.text
    .split(' ')
    .map((word) => phrases.get(word) ?? word)
    .join(' ');
  if (text === utterance.text) return utterance;
  return { ...utterance, text, words: utterance.words.flatMap((word) => spellWord(word, phrases.get(word.word))) };
}

function spellWord(word: DecodedWord, phrase: string | undefined): DecodedWord[] {
  if (phrase === undefined) return [word];
  const parts = phrase.split(' ').filter(Boolean);
  if (parts.length === 1) return [{ ...word, word: phrase }];
  const frames = word.endFrame - word.startFrame + 1;
  const letters = parts.reduce((sum, part) => sum + part.length, 0);
  let startFrame = word.startFrame;
  let seen = 0;
  return parts.map((part, i) => {
    seen += part.length;
    const endFrame =
      i === parts.length - 1 ? word.endFrame : Math.max(startFrame, word.startFrame + Math.round((frames * seen) / letters) - 1);
    const spelled = { ...word, word: part, startFrame, endFrame };
    startFrame = Math.min(endFrame + 1, word.endFrame);
    return spelled;
  });
}
