import { describe, expect, it } from 'vitest';
import { decoderVocabulary, spellPhrases, vocabularyWords } from '#gateway/recognition/embedded/decoder-vocabulary.ts';

/** How a custom vocabulary becomes decoder words, and decoded tokens become phrases again (pure parts). */

const DICTIONARY = new Map([
  ['zen', 'Z EH N'],
  ['tree', 'T R IY'],
  ['oh', 'OW'],
  ['pay', 'P EY'],
  ['vora', 'V AO R AH'],
  ['plus', 'P L AH S'],
  ['i', 'AY'],
  ['eye', 'AY'],
  ['triple', 'T R IH P AH L'],
  ['e', 'IY'],
  ['pass', 'P AE S'],
]);
const pronounce = (word: string) => DICTIONARY.get(word);

describe('decoderVocabulary', () => {
  it('keys a list by its content, so equal lists (of any tenant) share decoders and any change does not', () => {
    const a = decoderVocabulary([{ phrase: 'Zentrio', soundsLike: ['zen tree oh'] }])!;
    const b = decoderVocabulary([{ phrase: 'Zentrio', soundsLike: ['zen tree oh'] }])!;
    const c = decoderVocabulary([{ phrase: 'Zentrio', soundsLike: ['zen tree oh', 'zen trio'] }])!;
    expect(a.key).toBe(b.key);
    expect(c.key).not.toBe(a.key);
    expect(decoderVocabulary([{ phrase: 'Zentrio!', soundsLike: ['zen tree oh'] }])!.key).not.toBe(a.key);
  });

  it('has nothing to add without spoken forms', () => {
    expect(decoderVocabulary([])).toBeUndefined();
    expect(decoderVocabulary([{ phrase: 'IEEE', soundsLike: [] }])).toBeUndefined();
  });
});

describe('vocabularyWords', () => {
  it('makes one token per phrase, pronounced as each spoken form, words concatenated', () => {
    const list = decoderVocabulary([
      { phrase: 'IEEE', soundsLike: ['I triple E', 'eye triple e'] },
      { phrase: 'Payvora Plus', soundsLike: ['pay vora plus'] },
      { phrase: 'E-Pass', soundsLike: ['e-pass'] },
    ])!;
    const { words, phrases, skipped } = vocabularyWords(list, pronounce);
    expect(words).toEqual([
      { word: 'vocab_0', phones: 'AY T R IH P AH L IY' },
      { word: 'vocab_1', phones: 'P EY V AO R AH P L AH S' },
      { word: 'vocab_2', phones: 'IY P AE S' },
    ]);
    // "eye triple e" sounds exactly like "I triple E": one pronunciation, nothing skipped.
    expect(skipped).toEqual([]);
    expect([...phrases]).toEqual([
      ['vocab_0', 'IEEE'],
      ['vocab_1', 'Payvora Plus'],
      ['vocab_2', 'E-Pass'],
    ]);
  });

  it('gives a phrase its other spoken forms as alternative pronunciations', () => {
    const list = decoderVocabulary([{ phrase: 'Zentrio', soundsLike: ['zen tree oh', 'zen tree'] }])!;
    expect(vocabularyWords(list, pronounce).words).toEqual([
      { word: 'vocab_0', phones: 'Z EH N T R IY OW' },
      { word: 'vocab_0(2)', phones: 'Z EH N T R IY' },
    ]);
  });

  it('skips, with the reason, a spoken form with a word the dictionary lacks, and an entry left with none', () => {
    const list = decoderVocabulary([
      { phrase: 'Zentrio', soundsLike: ['zentreeoh', 'zen tree oh'] },
      { phrase: 'Qwzx', soundsLike: ['qwzx', 'kwiz ex'] },
      { phrase: 'Café Plus', soundsLike: ['café plus'] },
    ])!;
    const { words, phrases, skipped } = vocabularyWords(list, pronounce);
    expect(words.map((w) => w.word)).toEqual(['vocab_0']);
    expect([...phrases.values()]).toEqual(['Zentrio']);
    expect(skipped).toEqual([
      { phrase: 'Zentrio', soundsLike: 'zentreeoh', reason: 'no dictionary pronunciation for "zentreeoh"' },
      { phrase: 'Qwzx', soundsLike: 'qwzx', reason: 'no dictionary pronunciation for "qwzx"' },
      { phrase: 'Qwzx', soundsLike: 'kwiz ex', reason: 'no dictionary pronunciation for "kwiz"' },
      { phrase: 'Qwzx', reason: 'none of its spoken forms can be pronounced' },
      { phrase: 'Café Plus', soundsLike: 'café plus', reason: 'no dictionary pronunciation for "café"' },
      { phrase: 'Café Plus', reason: 'none of its spoken forms can be pronounced' },
    ]);
  });

  it('leaves a spoken form pronounced like an earlier entry to that entry, as the rewrite pass does', () => {
    const list = decoderVocabulary([
      { phrase: 'IEEE', soundsLike: ['I triple E'] },
      { phrase: 'I3E', soundsLike: ['eye triple e'] },
    ])!;
    const { words, skipped } = vocabularyWords(list, pronounce);
    expect(words.map((w) => w.word)).toEqual(['vocab_0']);
    expect(skipped[0]).toEqual({ phrase: 'I3E', soundsLike: 'eye triple e', reason: 'pronounced like an earlier entry ("IEEE")' });
  });
});

describe('spellPhrases', () => {
  const phrases = new Map([
    ['vocab_0', 'Zentrio'],
    ['vocab_1', 'Payvora Plus'],
  ]);

  it('writes each token as its phrase, exactly, and splits a phrase of several words over the token’s frames', () => {
    const spelled = spellPhrases(
      {
        text: 'move vocab_0 to vocab_1',
        words: [
          { word: 'move', startFrame: 0, endFrame: 20, confidence: 0.9 },
          { word: 'vocab_0', startFrame: 21, endFrame: 60, confidence: 0.8 },
          { word: 'to', startFrame: 61, endFrame: 70, confidence: 0.7 },
          { word: 'vocab_1', startFrame: 71, endFrame: 130, confidence: 0.6 },
        ],
        confidence: 0.75,
      },
      phrases,
    );
    expect(spelled.text).toBe('move Zentrio to Payvora Plus');
    expect(spelled.confidence).toBe(0.75);
    expect(spelled.words).toEqual([
      { word: 'move', startFrame: 0, endFrame: 20, confidence: 0.9 },
      { word: 'Zentrio', startFrame: 21, endFrame: 60, confidence: 0.8 },
      { word: 'to', startFrame: 61, endFrame: 70, confidence: 0.7 },
      // 7 of 11 letters: 60 frames split 38 / 22.
      { word: 'Payvora', startFrame: 71, endFrame: 108, confidence: 0.6 },
      { word: 'Plus', startFrame: 109, endFrame: 130, confidence: 0.6 },
    ]);
  });

  it('leaves an utterance without tokens as it is', () => {
    const utterance = { text: 'vocab zentrio', words: [{ word: 'vocab', startFrame: 0, endFrame: 3, confidence: 1 }] };
    expect(spellPhrases(utterance, phrases)).toBe(utterance);
    expect(spellPhrases({ text: '', words: [] }, phrases).text).toBe('');
  });
});
