import type { Segment } from './segment.ts';
import { findSpokenEmails } from './spoken-email.ts';
import { normalizeNumberWords } from './spoken-numbers.ts';

/**
 * Spoken forms to written forms over lower-case engine words: e-mail addresses first (their digits
 * belong to the address), then numbers. Every word lands in exactly one segment, in order.
 */
export function inverseNormalize(words: readonly string[]): Segment[] {
  const out: Segment[] = [];
  let i = 0;
  for (const email of findSpokenEmails(words)) {
    out.push(...normalizeNumberWords(words, i, email.from), email);
    i = email.to;
  }
  out.push(...normalizeNumberWords(words, i, words.length));
  return out;
}
