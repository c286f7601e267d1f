import { describe, expect, it } from 'vitest';
import { redact } from '#core/redaction/redact.ts';
import { REDACTION_RULES, type RedactionRuleName } from '#core/redaction/rules.ts';

/** [text, masked text, rules of the spans in order] with every rule on. */
const masked: Array<[string, string, string[]]> = [
  // Cards: Luhn-valid, 13–19 digits, contiguous or grouped.
  ['My card number is 4556 7375 8689 9855.', 'My card number is #### #### #### ####.', ['credit-card']],
  ['My card number is 4556737586899855.', 'My card number is ################.', ['credit-card']],
  ['Card 4556-7375-8689-9855 please', 'Card ################### please', ['credit-card']],
  ['Visa 4111 1111 1111 1111', 'Visa #### #### #### ####', ['credit-card']],
  ['Amex 3782 822463 10005', 'Amex #### ###### #####', ['credit-card']],
  ['Old 4222222222222 works', 'Old ############# works', ['credit-card']],
  ['It is 4556 7375 8689 9855 123 thanks', 'It is #### #### #### #### ### thanks', ['credit-card']],
  // Luhn-invalid long runs: long-digits (contiguous) or the 3–4-digit rule (grouped).
  ['My card number is 4556737586899858.', 'My card number is ################.', ['long-digits']],
  ['My card number is 4556 7375 8689 9858.', 'My card number is #### #### #### ####.', ['long-digits']],
  ['Ref 12345678901234567890123', 'Ref #######################', ['long-digits']],
  // SSN and 9 digits.
  ['SSN 123-45-6789.', 'SSN ###########.', ['ssn']],
  ['SSN 123 45 6789.', 'SSN ### ## ####.', ['ssn']],
  ['My social is 123456789.', 'My social is #########.', ['ssn']],
  ['Routing 123 456 789', 'Routing ### ### ###', ['digits-9']],
  // 10 digits, phones.
  ['Account 1234567890 is open', 'Account ########## is open', ['phone']],
  ['Call 555-123-4567 now', 'Call ############ now', ['phone']],
  ['Call (555) 123-4567 now', 'Call ##### ######## now', ['phone']],
  ['Call (555)123-4567 now', 'Call ############# now', ['phone']],
  ['Call +1 555 123 4567 now', 'Call ## ### ### #### now', ['phone']],
  ['Call +1-555-123-4567.', 'Call ###############.', ['phone']],
  ['Call 1-800-555-1212 now', 'Call ############## now', ['phone']],
  ['Call 18005551212 now', 'Call ########### now', ['phone']],
  ['Call 12345678901 now', 'Call ########### now', ['phone']],
  ['Call 555.123.4567 now', 'Call ############ now', ['phone']],
  ['Call 555-1234 now', 'Call ######## now', ['phone']],
  ['Call 5551234 now', 'Call ####### now', ['phone']],
  // 3 and 4 digits: PINs, CVVs, expiry, and (decision) amounts, years and percentages.
  ['My PIN is 4821.', 'My PIN is ####.', ['digits-3-4']],
  ['Hi, my account PIN is 4821, can you check my balance?', 'Hi, my account PIN is ####, can you check my balance?', ['digits-3-4']],
  ['CVV 123', 'CVV ###', ['digits-3-4']],
  ['It expires 0427.', 'It expires ####.', ['digits-3-4']],
  ['It expires 04/27.', 'It expires 04/27.', []],
  ['PIN 48 21', 'PIN ## ##', ['digits-3-4']],
  ['Digits 1 2 3', 'Digits # # #', ['digits-3-4']],
  ['That is $1250.', 'That is $####.', ['digits-3-4']],
  ['That is $1,250.', 'That is $#####.', ['digits-3-4']],
  ['That is $1,250.00 today', 'That is $#####.00 today', ['digits-3-4']],
  ['That is $125.50', 'That is $###.50', ['digits-3-4']],
  ['Back in 2005.', 'Back in ####.', ['digits-3-4']],
  ["I'm 100% sure.", "I'm ###% sure.", ['digits-3-4']],
  ['Codes 123 and 4567', 'Codes ### and ####', ['digits-3-4', 'digits-3-4']],
  // E-mail.
  ['Email john.smith@example.com.', 'Email ######################.', ['email']],
  ['Email jane_doe+x@mail.example.co.uk please', 'Email ############################# please', ['email']],
  ['Write JSMITH123@GMAIL.COM', 'Write ###################', ['email']],
  // Several at once.
  [
    'Card 4556 7375 8689 9855, CVV 123, call 555-123-4567.',
    'Card #### #### #### ####, CVV ###, call ############.',
    ['credit-card', 'digits-3-4', 'phone'],
  ],
];

/** Left as they are with every rule on. */
const untouched = [
  'That will be $49.99.',
  'I have 2 kids and 15 cats.',
  'About 10% of it.',
  'It is $25,000 in total.',
  'One million is 1,000,000.',
  'Meet at 10:30 tomorrow.',
  'Room 12, floor 3.',
  'It was 12345 exactly.',
  '123456 is six digits.',
  '12345678 is eight digits.',
  '22345678901 is eleven digits.',
  '123456789012 is twelve digits.',
  'Version 3.1415',
  'Sure, one moment.',
  'No digits here at all.',
  'john at example dot com',
  '',
];

describe('redact with the default rules', () => {
  it.each(masked)('%j → %j', (text, expected, rules) => {
    const result = redact(text);
    expect(result.text).toBe(expected);
    expect(result.spans.map((s) => s.rule)).toEqual(rules);
  });

  it.each(untouched)('leaves %j alone', (text) => {
    expect(redact(text)).toEqual({ text, spans: [] });
  });

  it.each(masked)('keeps length and whitespace, and no digit of a masked span survives: %j', (text) => {
    const { text: out, spans } = redact(text);
    expect(out).toHaveLength(text.length);
    for (let k = 0; k < text.length; k++) {
      if (/\s/.test(text[k])) expect(out[k]).toBe(text[k]);
    }
    for (const s of spans) {
      expect(out.slice(s.start, s.end)).toMatch(/^[#\s]+$/);
      const digits = text.slice(s.start, s.end).replace(/\D/g, '');
      if (digits.length >= 3) expect(out).not.toContain(digits);
    }
  });

  it('changes nothing outside the spans', () => {
    const text = 'Card 4556 7375 8689 9855, CVV 123, call 555-123-4567.';
    const { text: out, spans } = redact(text);
    const inside = (k: number) => spans.some((s) => k >= s.start && k < s.end);
    for (let k = 0; k < text.length; k++) if (!inside(k)) expect(out[k]).toBe(text[k]);
  });
});

describe('redact with chosen rules', () => {
  const always: RedactionRuleName[] = [];
  it.each([
    ['My card number is 4556 7375 8689 9855.', 'My card number is #### #### #### ####.'],
    ['SSN 123-45-6789.', 'SSN ###########.'],
    ['Routing 123456789', 'Routing #########'],
    ['My PIN is 4821.', 'My PIN is 4821.'],
    ['Call 555-123-4567 now', 'Call 555-123-4567 now'],
    ['Account 1234567890', 'Account 1234567890'],
    ['Email john.smith@example.com.', 'Email john.smith@example.com.'],
    ['Card 4556737586899858', 'Card 4556737586899858'],
  ])('always-on rules still run with no rules asked for: %j', (text, expected) => {
    expect(redact(text, { rules: always }).text).toBe(expected);
  });

  it.each([
    ['phone', 'Call 555-123-4567 now', 'Call ############ now'],
    ['digits-10', 'Account 1234567890 is open', 'Account ########## is open'],
    ['long-digits', 'Ref 12345678901234567890123', 'Ref #######################'],
    ['digits-3-4', 'My PIN is 4821.', 'My PIN is ####.'],
    ['email', 'Email john.smith@example.com.', 'Email ######################.'],
  ] as const)('%s can be switched off and on', (rule, text, expected) => {
    expect(redact(text, { rules: [] }).text).toBe(text);
    expect(redact(text, { rules: [rule] }).text).toBe(expected);
    expect(REDACTION_RULES).toContain(rule);
  });

  it('masks given entity spans, clamped to the text, merged with rule matches', () => {
    const text = 'Name Jane Roe, PIN 4821';
    const result = redact(text, {
      entitySpans: [
        { start: 5, end: 13, rule: 'pii:NAME' },
        { start: 19, end: 99 },
      ],
    });
    expect(result.text).toBe('Name #### ###, PIN ####');
    expect(result.spans).toEqual([
      { rule: 'pii:NAME', start: 5, end: 13 },
      { rule: 'digits-3-4', start: 19, end: 23 },
    ]);
  });
});
