import { describe, expect, it } from 'vitest';
import { normalizeNumberWords, normalizeSpokenNumbers } from '#core/text/spoken-numbers.ts';

const cardinals: Array<[string, string]> = [
  ['ten', '10'],
  ['eleven', '11'],
  ['twelve', '12'],
  ['nineteen', '19'],
  ['twenty', '20'],
  ['twenty one', '21'],
  ['twenty-one', '21'],
  ['forty nine', '49'],
  ['ninety nine', '99'],
  ['one hundred', '100'],
  ['a hundred', '100'],
  ['hundred', '100'],
  ['one hundred five', '105'],
  ['one hundred and five', '105'],
  ['one hundred ten', '110'],
  ['one hundred twenty three', '123'],
  ['two hundred and fifty', '250'],
  ['nine hundred ninety nine', '999'],
  ['one thousand', '1000'],
  ['a thousand', '1000'],
  ['two thousand and five', '2005'],
  ['two thousand twenty four', '2024'],
  ['fifteen hundred', '1500'],
  ['twenty five hundred', '2500'],
  ['one thousand two hundred fifty', '1250'],
  ['nine thousand nine hundred ninety nine', '9999'],
  ['ten thousand', '10,000'],
  ['twenty five thousand', '25,000'],
  ['one hundred thousand', '100,000'],
  ['one million', '1,000,000'],
  ['a million', '1,000,000'],
  ['two million five hundred thousand', '2,500,000'],
  ['one billion', '1,000,000,000'],
  ['one hundred and one dalmatians', '101 dalmatians'],
  ['twenty and thirty', '20 and 30'],
];

const digitStrings: Array<[string, string]> = [
  ['four five five six', '4556'],
  ['one two three', '123'],
  ['one one', '11'],
  ['zero one', '01'],
  ['five oh five', '505'],
  ['nine oh two one oh', '90210'],
  ['one oh oh', '100'],
  ['double five', '55'],
  ['triple seven', '777'],
  ['double oh seven', '007'],
  ['five double five one two', '55512'],
  ['one two triple three', '12333'],
  ['one eight hundred', '1800'],
  ['one eight hundred five five five one two one two', '18005551212'],
  ['one eight hundred double five five one two one two', '18005551212'],
  ['nineteen eighty four', '1984'],
  ['twenty twenty', '2020'],
  ['twenty twenty one', '2021'],
  ['four five five six seven three seven five eight six eight nine nine eight five five', '4556737586899855'],
  ['one two three four five six seven eight nine', '123456789'],
  ['five five five one two three four', '5551234'],
  ['five five five one two three four five six seven', '5551234567'],
  ['forty eight twenty one', '4821'],
  ['four eight two one', '4821'],
  ['zero zero seven', '007'],
];

const wordsKept: Array<[string, string]> = [
  ['zero', 'zero'],
  ['one', 'one'],
  ['one moment', 'one moment'],
  ['the one i want', 'the one i want'],
  ['no one is here', 'no one is here'],
  ['two or three', 'two or three'],
  ['five and six', 'five and six'],
  ['give me five minutes', 'give me five minutes'],
  ['oh okay', 'oh okay'],
  ['oh five', 'oh five'],
  ['five oh wait', 'five oh wait'],
  ['double check that', 'double check that'],
  ['a lot of calls', 'a lot of calls'],
  ['hundreds of calls', 'hundreds of calls'],
  ['the point is', 'the point is'],
  ['point five', 'point five'],
  ['first second third', 'first second third'],
  ['at once', 'at once'],
  ['', ''],
];

const inContext: Array<[string, string]> = [
  ['give me ten minutes', 'give me 10 minutes'],
  ['my pin is four eight two one', 'my pin is 4821'],
  ['my zip is nine oh two one oh thanks', 'my zip is 90210 thanks'],
  ['it was twenty one or twenty two', 'it was 21 or 22'],
  ['card ending in one two three four please', 'card ending in 1234 please'],
  ['one moment while i check account five five five one', 'one moment while i check account 5551'],
  [
    'my card number is four five five six seven three seven five eight six eight nine nine eight five eight',
    'my card number is 4556737586899858',
  ],
  ['you can reach me at five five five one two three four five six seven', 'you can reach me at 5551234567'],
  ['in two thousand and five we moved', 'in 2005 we moved'],
];

const units: Array<[string, string]> = [
  ['forty nine dollars', '$49'],
  ['forty-nine dollars', '$49'],
  ['forty nine dollars and ninety nine cents', '$49.99'],
  ['that will be forty nine dollars and ninety nine cents', 'that will be $49.99'],
  ['forty nine dollars ninety nine cents', '$49.99'],
  ['one dollar', '$1'],
  ['five dollars', '$5'],
  ['zero dollars', '$0'],
  ['two dollars and five cents', '$2.05'],
  ['a hundred dollars', '$100'],
  ['one thousand two hundred fifty dollars', '$1250'],
  ['twenty five thousand dollars', '$25,000'],
  ['a million dollars', '$1,000,000'],
  ['three point five dollars', '$3.50'],
  ['nineteen ninety nine dollars', '$1999'],
  ['forty nine dollars and some change', '$49 and some change'],
  ['ten dollars and two hundred cents', '$10 and 200 cents'],
  ['ninety nine cents', '99 cents'],
  ['one cent', '1 cent'],
  ['ten percent', '10%'],
  ['five percent', '5%'],
  ['a hundred percent', '100%'],
  ['one hundred percent', '100%'],
  ['hundred percent', '100%'],
  ['fifty per cent', '50%'],
  ['two point five percent', '2.5%'],
  ['zero point five percent', '0.5%'],
];

const decimals: Array<[string, string]> = [
  ['three point five', '3.5'],
  ['zero point five', '0.5'],
  ['three point one four', '3.14'],
  ['one point oh', '1.0'],
  ['four point twenty five', '4.25'],
  ['ninety nine point nine', '99.9'],
];

describe('normalizeSpokenNumbers', () => {
  describe.each([
    ['cardinals', cardinals],
    ['digit strings (runs are written contiguously)', digitStrings],
    ['lone small numbers and look-alikes stay words', wordsKept],
    ['numbers in sentences', inContext],
    ['currency and percentages', units],
    ['decimals', decimals],
  ])('%s', (_name, table) => {
    it.each(table)('%j → %j', (spoken, written) => {
      expect(normalizeSpokenNumbers(spoken)).toBe(written);
    });
  });
});

describe('normalizeNumberWords', () => {
  it('covers every word exactly once, in order, and keeps the word range of each number', () => {
    const words = 'that is forty nine dollars and ninety nine cents for one item'.split(' ');
    const segments = normalizeNumberWords(words);
    expect(segments).toEqual([
      { text: 'that', from: 0, to: 1 },
      { text: 'is', from: 1, to: 2 },
      { text: '$49.99', from: 2, to: 9 },
      { text: 'for', from: 9, to: 10 },
      { text: 'one', from: 10, to: 11 },
      { text: 'item', from: 11, to: 12 },
    ]);
  });

  it('stays inside the range it is given', () => {
    const words = 'four five five six'.split(' ');
    expect(normalizeNumberWords(words, 1, 3)).toEqual([{ text: '55', from: 1, to: 3 }]);
  });
});
