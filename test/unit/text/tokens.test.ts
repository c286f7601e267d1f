import { describe, expect, it } from 'vitest';
import type { EngineWord } from '#core/text/engine-output.ts';
import { formatTokens } from '#core/text/smart-format.ts';

function word(content: string, startMs: number, endMs: number): EngineWord {
  return { content, kind: 'word', startMs, endMs };
}
function mark(content: string, at: number): EngineWord {
  return { content, kind: 'punctuation', startMs: at, endMs: at };
}

/** Raw engine words with 100 ms each and no gaps, from `startMs`. */
function spoken(text: string, startMs = 0): EngineWord[] {
  return text.split(' ').map((w, k) => word(w, startMs + k * 100, startMs + k * 100 + 90));
}

describe('formatTokens on formatted engine items (Amazon Transcribe)', () => {
  it('attaches closing punctuation to the word before it (the contract example)', () => {
    const items = [word('Sure', 5120, 5390), mark(',', 5390), word('one', 5440, 5610), word('moment', 5610, 6050), mark('.', 6050)];
    expect(formatTokens(items)).toEqual([
      { content: 'Sure', start: 5120, end: 5390, punctuationAfter: ',' },
      { content: 'one', start: 5440, end: 5610 },
      { content: 'moment', start: 5610, end: 6050, punctuationAfter: '.' },
    ]);
  });

  it('never emits a stand-alone punctuation token', () => {
    const items = [word('Yes', 0, 100), mark('.', 100), word('No', 200, 300), mark('?', 300), mark('!', 300)];
    const tokens = formatTokens(items);
    expect(tokens.map((t) => t.content)).toEqual(['Yes', 'No']);
    expect(tokens[1].punctuationAfter).toBe('?!');
  });

  it.each([
    ['¿', '¿Cómo está?'],
    ['¡', '¡Hola!'],
    ['(', '(note)'],
  ])('attaches the opening mark %j to the word after it', (opening) => {
    const tokens = formatTokens([mark(opening, 0), word('Hola', 0, 100), mark('?', 100)]);
    expect(tokens).toEqual([{ content: 'Hola', start: 0, end: 100, punctuationAfter: '?', punctuationBefore: opening }]);
  });

  it('treats straight quotes as opening and closing in turn', () => {
    const items = [word('He', 0, 10), word('said', 10, 20), mark('"', 20), word('yes', 20, 30), mark('"', 30), mark('.', 30)];
    expect(formatTokens(items)).toEqual([
      { content: 'He', start: 0, end: 10 },
      { content: 'said', start: 10, end: 20 },
      { content: 'yes', start: 20, end: 30, punctuationAfter: '".', punctuationBefore: '"' },
    ]);
  });

  it('keeps a leading closing mark on the first word and a trailing opening mark on the last', () => {
    expect(formatTokens([mark('.', 0), word('Hi', 0, 50), mark('(', 50)])).toEqual([
      { content: 'Hi', start: 0, end: 50, punctuationAfter: '(', punctuationBefore: '.' },
    ]);
  });

  it('keeps formatted words as they are, numbers included', () => {
    const items = [word('My', 0, 100), word('PIN', 100, 200), word('is', 200, 300), word('4821', 300, 900), mark('.', 900)];
    expect(formatTokens(items).map((t) => t.content)).toEqual(['My', 'PIN', 'is', '4821']);
  });

  it('returns no tokens for punctuation alone', () => {
    expect(formatTokens([mark('.', 0)])).toEqual([]);
    expect(formatTokens([])).toEqual([]);
  });
});

describe('formatTokens on raw engine words (embedded engine)', () => {
  it('formats like the utterance text and spans a spoken number with one token', () => {
    expect(formatTokens(spoken('my pin is four eight two one'))).toEqual([
      { content: 'My', start: 0, end: 90 },
      { content: 'pin', start: 100, end: 190 },
      { content: 'is', start: 200, end: 290 },
      { content: '4821', start: 300, end: 690, punctuationAfter: '.' },
    ]);
  });

  it('puts a question mark on the last token of a question', () => {
    const tokens = formatTokens(spoken('can you hold'));
    expect(tokens.at(-1)).toEqual({ content: 'hold', start: 200, end: 290, punctuationAfter: '?' });
  });

  it('spans a whole amount', () => {
    expect(formatTokens(spoken('that is forty nine dollars and ninety nine cents'))).toEqual([
      { content: 'That', start: 0, end: 90 },
      { content: 'is', start: 100, end: 190 },
      { content: '$49.99', start: 200, end: 890, punctuationAfter: '.' },
    ]);
  });

  it('drops decoder fillers and alternate-pronunciation marks', () => {
    const words = [word('<sil>', 0, 50), word('read(2)', 50, 100), word('[noise]', 100, 150), word('it', 150, 200)];
    expect(formatTokens(words)).toEqual([
      { content: 'Read', start: 50, end: 100 },
      { content: 'it', start: 150, end: 200, punctuationAfter: '.' },
    ]);
  });

  it('adds the offset and rounds to whole milliseconds', () => {
    const words = [word('yes', 10.4, 250.6)];
    expect(formatTokens(words, 1000)).toEqual([{ content: 'Yes', start: 1010, end: 1251, punctuationAfter: '.' }]);
  });

  it('returns no tokens when only fillers were heard', () => {
    expect(formatTokens([word('<sil>', 0, 100)])).toEqual([]);
  });
});
