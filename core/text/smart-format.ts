import { cleanEngineWord, formatSentence, isRawWord, sentenceText } from './sentence.ts';

export { formatTokens } from './tokens.ts';

/**
 * The words of raw engine text (fillers removed), or undefined when the text is already formatted:
 * any capital, digit or punctuation other than an apostrophe or hyphen inside a word. Amazon Transcribe
 * formats its own output; writing over it would undo its work.
 */
export function rawEngineWords(text: string): string[] | undefined {
  const words: string[] = [];
  for (const token of text.split(/\s+/)) {
    if (!token) continue;
    const word = cleanEngineWord(token);
    if (word === undefined) continue;
    if (!isRawWord(word)) return undefined;
    words.push(word);
  }
  return words;
}

/**
 * Smart formatting (docs/api-contract.md §6.4) of one final result: spoken numbers and e-mail addresses
 * written out, capitalisation, end punctuation. Already-formatted text is returned trimmed and
 * otherwise unchanged, which also makes the function idempotent.
 */
export function smartFormat(rawEngineText: string): string {
  const trimmed = rawEngineText.trim();
  const words = rawEngineWords(trimmed);
  if (words === undefined) return trimmed;
  return sentenceText(formatSentence(words));
}
