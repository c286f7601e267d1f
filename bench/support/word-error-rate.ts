import { normalizeWords } from '#gateway/recognition/embedded/engine-words.ts';

/**
 * Word error rate for measuring the engine (tests, bench). The engine writes lower-case words without
 * punctuation or digits, so both sides are normalized the same way before comparing.
 */

export interface WordErrors {
  /** Substitutions + deletions + insertions. */
  errors: number;
  referenceWords: number;
  /** errors / referenceWords (0 for an empty reference with an empty hypothesis). */
  wer: number;
}

/** Word-level Levenshtein distance between a reference and a hypothesis. */
export function wordErrors(reference: string, hypothesis: string): WordErrors {
  const ref = normalizeWords(reference);
  const hyp = normalizeWords(hypothesis);
  let previous = Array.from({ length: hyp.length + 1 }, (_, j) => j);
  for (let i = 1; i <= ref.length; i++) {
    const current = [i];
    for (let j = 1; j <= hyp.length; j++) {
      const substitution = previous[j - 1] + (ref[i - 1] === hyp[j - 1] ? 0 : 1);
      current.push(Math.min(substitution, previous[j] + 1, current[j - 1] + 1));
    }
    previous = current;
  }
  const errors = previous[hyp.length];
  return { errors, referenceWords: ref.length, wer: ref.length ? errors / ref.length : hyp.length ? 1 : 0 };
}
