import { describe, expect, it } from 'vitest';
import { rawEngineWords, smartFormat } from '#core/text/smart-format.ts';

const spoken: Array<[string, string]> = [
  ['sure one moment', 'Sure one moment.'],
  [
    'my card number is four five five six seven three seven five eight six eight nine nine eight five five',
    'My card number is 4556737586899855.',
  ],
  ['that will be forty nine dollars and ninety nine cents', 'That will be $49.99.'],
  ['you can reach me at five five five one two three four five six seven', 'You can reach me at 5551234567.'],
  ['my pin is four eight two one', 'My pin is 4821.'],
  ['i think i need help', 'I think I need help.'],
  ["i'm calling about my bill", "I'm calling about my bill."],
  ["yes i'll hold", "Yes I'll hold."],
  ["i've paid and i'd like a receipt", "I've paid and I'd like a receipt."],
  ['it is in the bill', 'It is in the bill.'],
  ['can you hold', 'Can you hold?'],
  ['what is your account number', 'What is your account number?'],
  ['may i have your date of birth', 'May I have your date of birth?'],
  ['okay so how much do i owe', 'Okay so how much do I owe?'],
  ['when i called they hung up', 'When I called they hung up.'],
  ['have a nice day', 'Have a nice day.'],
  ['ten percent off', '10% off.'],
  ['john dot smith at example dot com', 'john.smith@example.com.'],
  ['my email is john dot smith at example dot com', 'My email is john.smith@example.com.'],
  ['four five five six', '4556.'],
  ['one eight hundred five five five one two one two', '18005551212.'],
  ['is it one two three four five six seven eight nine', 'Is it 123456789?'],
  ['oh okay thanks', 'Oh okay thanks.'],
  ['yes', 'Yes.'],
  ['hello', 'Hello.'],
  ['why', 'Why?'],
  ['  lots   of   space  ', 'Lots of space.'],
  ['<s> hello <sil> there </s>', 'Hello there.'],
  ['[noise] yes ++breath++', 'Yes.'],
  ['read(2) it back', 'Read it back.'],
  ['<sil>', ''],
  ['', ''],
  ['   ', ''],
];

const formatted: Array<[string, string]> = [
  ['My card number is 4556 7375 8689 9855.', 'My card number is 4556 7375 8689 9855.'],
  ['  Sure, one moment.  ', 'Sure, one moment.'],
  ['That will be $49.99.', 'That will be $49.99.'],
  ['Hi, my account PIN is 4821, can you check my balance?', 'Hi, my account PIN is 4821, can you check my balance?'],
  ['i mean, yes', 'i mean, yes'],
  ['call 5551234', 'call 5551234'],
  ['Okay', 'Okay'],
  ['¿Cómo está?', '¿Cómo está?'],
  ['john.smith@example.com', 'john.smith@example.com'],
  ['what is it?', 'what is it?'],
];

describe('smartFormat', () => {
  it.each(spoken)('formats raw engine text %j → %j', (raw, expected) => {
    expect(smartFormat(raw)).toBe(expected);
  });

  it.each(formatted)('leaves formatted text %j alone apart from trimming', (text, expected) => {
    expect(smartFormat(text)).toBe(expected);
  });

  it.each([...spoken, ...formatted].map(([raw]) => raw))('is idempotent on %j', (raw) => {
    const once = smartFormat(raw);
    expect(smartFormat(once)).toBe(once);
  });
});

describe('rawEngineWords', () => {
  it.each([
    ['hello there', ['hello', 'there']],
    ["don't worry", ["don't", 'worry']],
    ['twenty-one', ['twenty-one']],
    ['<sil> yes', ['yes']],
    ['', []],
  ])('reads %j as raw words', (text, words) => {
    expect(rawEngineWords(text)).toEqual(words);
  });

  it.each(['Hello there', 'hello, there', 'call 555', 'yes.', "'", 'señor Pérez'])('reads %j as formatted', (text) => {
    expect(rawEngineWords(text)).toBeUndefined();
  });
});
