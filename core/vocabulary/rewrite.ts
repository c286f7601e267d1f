import type { CustomVocabularyItem } from './custom-vocabulary.ts';

/**
 * The deterministic pass that turns recognized spoken forms into the vocabulary's phrases ("i triple e"
 * → "IEEE"), run on the engine's text before smart formatting and redaction. It matches whole words
 * only, case-insensitively, longest spoken form first, and never touches text outside a match.
 */
export interface VocabularyRewrite {
  apply(text: string): string;
  /**
   * For raw engine text about to be smart-formatted: each match becomes a placeholder word that
   * formatting leaves alone (phrases with capitals or digits would make the text look formatted
   * already), and `restore` puts the phrases in after formatting. Phrases already in the text, exactly
   * as written (the embedded engine writes them when its decoder holds the vocabulary), are kept the
   * same way.
   */
  mark(text: string): { text: string; restore(formatted: string): string };
  readonly size: number;
}

export const NO_REWRITE: VocabularyRewrite = { apply: (text) => text, mark: (text) => ({ text, restore: (t) => t }), size: 0 };

/** A word no engine produces, made of lowercase letters only so it reads as a raw engine word. */
const PLACEHOLDER = /zqxv([a-j]+)q/gi;
function placeholder(index: number): string {
  return `zqxv${[...String(index)].map((d) => String.fromCharCode(97 + Number(d))).join('')}q`;
}
function placeholderIndex(letters: string): number {
  return Number([...letters.toLowerCase()].map((c) => c.charCodeAt(0) - 97).join(''));
}

export function vocabularyRewrite(items: readonly Pick<CustomVocabularyItem, 'phrase' | 'soundsLike'>[]): VocabularyRewrite {
  const forms = new Map<string, string>();
  for (const item of items) {
    for (const spoken of item.soundsLike) {
      const key = spoken.toLowerCase();
      // The first entry for a spoken form wins: entries are listed in creation order.
      if (key.length > 0 && !forms.has(key)) forms.set(key, item.phrase);
    }
  }
  if (forms.size === 0) return NO_REWRITE;
  const alternatives = [...forms.keys()]
    .sort((a, b) => b.length - a.length || (a < b ? -1 : 1))
    .map((form) => form.split(' ').map(escape).join('\\s+'));
  // Word edges: no letter, digit or apostrophe on either side of a match.
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}'])(?:${alternatives.join('|')})(?![\\p{L}\\p{N}'])`, 'giu');
  const phraseOf = (match: string) => forms.get(match.toLowerCase().replace(/\s+/g, ' ')) ?? match;
  const phrases = [...new Set(forms.values())].sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
  const written = new RegExp(`(?<![\\p{L}\\p{N}'])(?:${phrases.map(escape).join('|')})(?![\\p{L}\\p{N}'])`, 'gu');
  return {
    size: forms.size,
    apply: (text) => text.replace(pattern, phraseOf),
    mark: (text) => {
      const found: string[] = [];
      const marked = text
        .replace(pattern, (match) => placeholder(found.push(phraseOf(match)) - 1))
        .replace(written, (phrase) => placeholder(found.push(phrase) - 1));
      return {
        text: marked,
        restore: (formatted) => formatted.replace(PLACEHOLDER, (whole, letters: string) => found[placeholderIndex(letters)] ?? whole),
      };
    },
  };
}

function escape(word: string): string {
  // Not `-`: outside a class it is literal, and `\-` is an error under the `u` flag.
  return word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
