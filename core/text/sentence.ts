import { inverseNormalize } from './inverse-normalize.ts';
import { isQuestion } from './question.ts';
import type { Segment } from './segment.ts';

/*
 * One utterance of raw engine words (lower case, no punctuation, no digits) written as a sentence:
 * spoken forms to written forms, a capital first letter, "I", and a full stop or question mark.
 * Shared by the utterance text and its detailed tokens so both always say the same thing.
 */

export interface FormattedSentence {
  /** Written text of each run of engine words, in order. */
  segments: Segment[];
  /** End punctuation, attached to the last segment. */
  end: '.' | '?';
}

/** Decoder markers that are not speech: silence and noise fillers. */
const FILLER = /^(?:<[^>]*>|\[[^\]]*\]|\+\+[^+]*\+\+)$/;

/** A word as a raw engine writes it: lower-case letters with inner apostrophes or hyphens. */
const RAW_WORD = /^[\p{Ll}'-]*\p{Ll}[\p{Ll}'-]*$/u;

/**
 * The engine word without decoder decorations, or undefined for a filler. Alternate pronunciations
 * come back as "read(2)".
 */
export function cleanEngineWord(word: string): string | undefined {
  if (FILLER.test(word)) return undefined;
  return word.replace(/\(\d+\)$/, '');
}

/** Whether a cleaned word is raw engine output rather than already-formatted text. */
export function isRawWord(word: string): boolean {
  return RAW_WORD.test(word);
}

function capitalise(text: string, first: boolean): string {
  // Standalone "i" and its contractions (i'm, i'll, i've, i'd).
  if (text === 'i' || text.startsWith("i'")) return `I${text.slice(1)}`;
  // An address or a figure keeps its own spelling at the start of a sentence.
  if (first && /^\p{Ll}/u.test(text) && !text.includes('@')) return text[0].toUpperCase() + text.slice(1);
  return text;
}

export function formatSentence(words: readonly string[]): FormattedSentence {
  const segments = inverseNormalize(words).map((s, k) => ({ ...s, text: capitalise(s.text, k === 0) }));
  return { segments, end: isQuestion(words) ? '?' : '.' };
}

export function sentenceText(sentence: FormattedSentence): string {
  if (sentence.segments.length === 0) return '';
  return sentence.segments.map((s) => s.text).join(' ') + sentence.end;
}
