/**
 * The engine's word form: lower-case words without punctuation, hyphens split. Phrase grammars are
 * written in it, and the word error rate (bench/support) compares both sides in it.
 */
export function normalizeWords(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9'\s-]/g, ' ')
    .replace(/-/g, ' ')
    .split(/\s+/)
    .filter(Boolean);
}
