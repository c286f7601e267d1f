import { describe, expect, it } from 'vitest';
import { DEFAULT_REDACTION, renderUtteranceText, type RedactionSettings } from '#core/text/pipeline.ts';
import type { EngineWord } from '#core/text/engine-output.ts';
import { resolveRules } from '#core/redaction/rules.ts';

function render(text: string, redaction: RedactionSettings = DEFAULT_REDACTION) {
  return renderUtteranceText({ text }, { redaction, wantTokens: false });
}

/** Raw embedded-engine text → [smart-formatted text, masked text] with the default rules. */
const spoken: Array<[string, string, string]> = [
  ['my pin is four eight two one', 'My pin is 4821.', 'My pin is ####.'],
  ['my pin is forty eight twenty one', 'My pin is 4821.', 'My pin is ####.'],
  ['the cvv is seven three one', 'The cvv is 731.', 'The cvv is ###.'],
  ['it expires oh four two seven', 'It expires oh 427.', 'It expires oh ###.'],
  ['it expires zero four two seven', 'It expires 0427.', 'It expires ####.'],
  [
    'my card number is four five five six seven three seven five eight six eight nine nine eight five five',
    'My card number is 4556737586899855.',
    'My card number is ################.',
  ],
  [
    'my card number is four five five six seven three seven five eight six eight nine nine eight five eight',
    'My card number is 4556737586899858.',
    'My card number is ################.',
  ],
  [
    'card four one one one one one one one one one one one one one one one expiry oh four two seven',
    'Card 4111111111111111 expiry oh 427.',
    'Card ################ expiry oh ###.',
  ],
  ['it is four double one triple one one one one one one one one one one one', 'It is 4111111111111111.', 'It is ################.'],
  ['my social is one two three four five six seven eight nine', 'My social is 123456789.', 'My social is #########.'],
  ['social one two three four five six seven eight nine thanks', 'Social 123456789 thanks.', 'Social ######### thanks.'],
  ['call me at five five five one two three four', 'Call me at 5551234.', 'Call me at #######.'],
  [
    'you can reach me at five five five one two three four five six seven',
    'You can reach me at 5551234567.',
    'You can reach me at ##########.',
  ],
  ['call one eight hundred five five five one two one two', 'Call 18005551212.', 'Call ###########.'],
  ['plus one five five five one two three four five six seven', 'Plus 15551234567.', 'Plus ###########.'],
  ['my zip is nine oh two one oh', 'My zip is 90210.', 'My zip is 90210.'],
  ['account number one two three four five six seven eight', 'Account number 12345678.', 'Account number 12345678.'],
  ['my email is john dot smith at example dot com', 'My email is john.smith@example.com.', 'My email is ######################.'],
  ['that will be forty nine dollars and ninety nine cents', 'That will be $49.99.', 'That will be $49.99.'],
  ['that is twelve dollars', 'That is $12.', 'That is $12.'],
  ['that is one thousand two hundred fifty dollars', 'That is $1250.', 'That is $####.'],
  ['that is twenty five thousand dollars', 'That is $25,000.', 'That is $25,000.'],
  ['sure one moment', 'Sure one moment.', 'Sure one moment.'],
  ['give me ten minutes', 'Give me 10 minutes.', 'Give me 10 minutes.'],
  [
    'can you confirm the last four digits one two three four',
    'Can you confirm the last four digits 1234?',
    'Can you confirm the last four digits ####?',
  ],
  ['the year was nineteen eighty four', 'The year was 1984.', 'The year was ####.'],
];

describe('renderUtteranceText on embedded-engine text', () => {
  it.each(spoken)('%j', (raw, rawText, maskedText) => {
    const result = render(raw);
    expect(result.rawText).toBe(rawText);
    expect(result.maskedText).toBe(maskedText);
    expect(result.maskedText).toHaveLength(result.rawText.length);
    expect(result.tokens).toBeUndefined();
    for (const s of result.spans) expect(result.maskedText.slice(s.start, s.end)).toMatch(/^[#\s]+$/);
  });

  it('honours a tenant that switched optional rules off', () => {
    const redaction = { ...DEFAULT_REDACTION, rules: resolveRules({ disabled: ['digits-3-4', 'email'] }) };
    expect(render('my pin is four eight two one', redaction).maskedText).toBe('My pin is 4821.');
    expect(render('john at example dot com', redaction).maskedText).toBe('john@example.com.');
    expect(render('social one two three four five six seven eight nine', redaction).maskedText).toBe('Social #########.');
  });

  it('builds tokens from the same words, unmasked', () => {
    const words: EngineWord[] = 'my pin is four eight two one'
      .split(' ')
      .map((content, k) => ({ content, kind: 'word', startMs: 1000 + k * 100, endMs: 1090 + k * 100 }));
    const result = renderUtteranceText({ text: 'my pin is four eight two one', words }, { redaction: DEFAULT_REDACTION, wantTokens: true });
    expect(result.maskedText).toBe('My pin is ####.');
    expect(result.tokens).toEqual([
      { content: 'My', start: 1000, end: 1090 },
      { content: 'pin', start: 1100, end: 1190 },
      { content: 'is', start: 1200, end: 1290 },
      { content: '4821', start: 1300, end: 1690, punctuationAfter: '.' },
    ]);
    expect(result.tokens!.map((t) => t.content).join(' ') + '.').toBe(result.rawText);
  });

  it('gives no tokens without words or when none are wanted', () => {
    expect(renderUtteranceText({ text: 'yes' }, { redaction: DEFAULT_REDACTION, wantTokens: true }).tokens).toBeUndefined();
    const words: EngineWord[] = [{ content: 'yes', kind: 'word', startMs: 0, endMs: 100 }];
    expect(renderUtteranceText({ text: 'yes', words }, { redaction: DEFAULT_REDACTION, wantTokens: false }).tokens).toBeUndefined();
  });

  it('renders empty text as empty', () => {
    expect(render('<sil>')).toEqual({ rawText: '', maskedText: '', spans: [] });
  });
});

describe('renderUtteranceText on Amazon Transcribe results', () => {
  const text = 'My card number is 4556 7375 8689 9855, and my name is Jane Roe.';
  const words: EngineWord[] = [];
  let t = 400;
  for (const token of text.split(' ')) {
    const content = token.replace(/[.,]$/, '');
    words.push({ content, kind: 'word', startMs: t, endMs: t + 250 });
    if (content !== token) words.push({ content: token.slice(-1), kind: 'punctuation', startMs: t + 250, endMs: t + 250 });
    t += 300;
  }

  it('keeps the engine formatting and masks rules and entities', () => {
    const result = renderUtteranceText(
      {
        text: ` ${text} `,
        words,
        entities: [
          { type: 'CREDIT_DEBIT_NUMBER', content: '4556 7375 8689 9855' },
          { type: 'NAME', content: 'Jane Roe' },
        ],
      },
      { redaction: DEFAULT_REDACTION, wantTokens: true },
    );
    expect(result.rawText).toBe(text);
    expect(result.maskedText).toBe('My card number is #### #### #### ####, and my name is Jane Roe.');
    expect(result.spans).toEqual([{ rule: 'credit-card', start: 18, end: 37 }]);
    expect(result.tokens?.[7]).toEqual({ content: '9855', start: 2500, end: 2750, punctuationAfter: ',' });
    expect(result.tokens?.at(-1)).toEqual({ content: 'Roe', start: 4300, end: 4550, punctuationAfter: '.' });
  });

  it('masks an entity the rules miss', () => {
    const result = renderUtteranceText(
      { text: 'The account is AB12-CD.', entities: [{ type: 'BANK_ACCOUNT_NUMBER', content: 'AB12-CD' }] },
      { redaction: DEFAULT_REDACTION, wantTokens: false },
    );
    expect(result.maskedText).toBe('The account is #######.');
    expect(result.spans).toEqual([{ rule: 'pii:BANK_ACCOUNT_NUMBER', start: 15, end: 22 }]);
  });

  it('masks only the entity types configured', () => {
    const result = renderUtteranceText(
      { text: 'I am Jane Roe.', entities: [{ type: 'NAME', content: 'Jane Roe' }] },
      { redaction: { ...DEFAULT_REDACTION, entityTypes: [...DEFAULT_REDACTION.entityTypes, 'NAME'] }, wantTokens: false },
    );
    expect(result.maskedText).toBe('I am #### ###.');
  });
});
