import { describe, expect, it } from 'vitest';
import { DEFAULT_REDACTION, renderUtteranceText } from '#core/text/pipeline.ts';
import { NO_REWRITE, vocabularyRewrite } from '#core/vocabulary/rewrite.ts';

const vocabulary = vocabularyRewrite([
  { phrase: 'IEEE', soundsLike: ['I triple E', 'eye triple e'] },
  { phrase: 'Zelle', soundsLike: ['zell', 'zel'] },
  { phrase: 'AutoPay Plus', soundsLike: ['auto pay plus'] },
  { phrase: 'AutoPay', soundsLike: ['auto pay'] },
  { phrase: 'E-Pass', soundsLike: ['e-pass', "ee's pass"] },
]);

describe('custom vocabulary rewrite', () => {
  it('turns spoken forms into their phrases, whole words only, in any letter case', () => {
    expect(vocabulary.apply('i joined i triple e last year')).toBe('i joined IEEE last year');
    expect(vocabulary.apply('Eye  Triple E members')).toBe('IEEE members');
    expect(vocabulary.apply('send it with zell today')).toBe('send it with Zelle today');
  });

  it('takes spoken forms with hyphens and apostrophes', () => {
    expect(vocabulary.apply("my e-pass and ee's pass")).toBe('my E-Pass and E-Pass');
  });

  it('prefers the longest spoken form', () => {
    expect(vocabulary.apply('turn on auto pay plus and auto pay')).toBe('turn on AutoPay Plus and AutoPay');
  });

  it('never touches text outside a match: words that only contain a spoken form stay as they are', () => {
    for (const text of ['zelly zeller azel', 'triple e', 'the eye doctor', "zel's", 'autopay', '']) {
      expect(vocabulary.apply(text)).toBe(text);
    }
  });

  it('is a no-op without entries with spoken forms', () => {
    expect(vocabularyRewrite([{ phrase: 'IEEE', soundsLike: [] }])).toBe(NO_REWRITE);
    expect(NO_REWRITE.apply('i triple e')).toBe('i triple e');
  });

  it('runs before smart formatting and redaction', () => {
    const rendered = renderUtteranceText(
      {
        text: 'i paid four hundred dollars with zell my card is four five three two seven seven one eight zero nine two six three three one four',
      },
      { redaction: DEFAULT_REDACTION, wantTokens: false, vocabulary },
    );
    expect(rendered.rawText).toMatch(/^I paid \$400 with Zelle/);
    expect(rendered.maskedText).toContain('Zelle');
    expect(rendered.maskedText).not.toMatch(/4532/);
    const first = renderUtteranceText(
      { text: 'i triple e is the answer' },
      { redaction: DEFAULT_REDACTION, wantTokens: false, vocabulary },
    );
    expect(first.rawText).toBe('IEEE is the answer.');
  });

  it('keeps phrases the engine wrote itself out of smart formatting, and formats the rest', () => {
    const rendered = renderUtteranceText(
      { text: 'please move AutoPay Plus to my E-Pass and pay four hundred dollars with zell' },
      { redaction: DEFAULT_REDACTION, wantTokens: false, vocabulary },
    );
    expect(rendered.rawText).toBe('Please move AutoPay Plus to my E-Pass and pay $400 with Zelle.');
    // A phrase is kept only as written: "autopay plus" is not one (nor a spoken form).
    expect(vocabulary.mark('autopay plus and AutoPay').text).toMatch(/^autopay plus and zqxv[a-j]+q$/);
  });

  it('rewrites text an engine formatted itself (Amazon Transcribe) in place', () => {
    const rendered = renderUtteranceText(
      { text: 'I paid $400 with Zell, thanks.' },
      { redaction: DEFAULT_REDACTION, wantTokens: false, vocabulary },
    );
    expect(rendered.rawText).toBe('I paid $400 with Zelle, thanks.');
  });
});
