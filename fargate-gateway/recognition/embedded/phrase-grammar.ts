import { normalizeWords } from './engine-words.ts';

/**
 * A JSGF grammar accepting exactly one of the given phrases per segment. With it the engine picks the
 * closest listed phrase instead of searching the whole language model: deterministic, far more accurate
 * on what is listed, and blind to anything else.
 */
export function phraseGrammar(phrases: readonly string[]): string {
  const alternatives = [...new Set(phrases.map((p) => normalizeWords(p).join(' ')).filter(Boolean))];
  if (alternatives.length === 0) throw new Error('phrase list is empty');
  for (const phrase of alternatives) {
    if (/[^a-z' ]/.test(phrase)) throw new Error(`phrase "${phrase}": spell numbers as words (the dictionary has no digits)`);
  }
  return ['#JSGF V1.0;', 'grammar phrases;', `public <phrase> = ${alternatives.join(' | ')} ;`, ''].join('\n');
}
