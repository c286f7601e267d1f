import { describe, expect, it } from 'vitest';
import { isQuestion } from '#core/text/question.ts';

const questions = [
  'what is your name',
  'what',
  'how are you',
  'how about tomorrow',
  'how much is it',
  'where do you live',
  'which account',
  'why not',
  'who called',
  'can you hold',
  'could you spell that',
  'would you like to pay now',
  'will the payment go through',
  'may i have your account number',
  'is that correct',
  'is the card still active',
  'are you there',
  'do you have it',
  'does that work',
  'did the payment go through',
  'have you received it',
  "can't you see it",
  'okay so what is the balance',
  'um can you repeat that',
  'and what about the fee',
];

const statements = [
  'thank you',
  'sure one moment',
  'when i called they hung up',
  'what i need is a refund',
  'how you pay is up to you',
  'what a day',
  'have a nice day',
  'do the math',
  'do not worry',
  "don't worry about it",
  'will do',
  'i can help with that',
  'you can pay online',
  'yes i can',
  'okay',
  '',
];

describe('isQuestion', () => {
  it.each(questions)('%j is a question', (text) => expect(isQuestion(text.split(' '))).toBe(true));
  it.each(statements)('%j is not a question', (text) => expect(isQuestion(text.split(' ').filter(Boolean))).toBe(false));
});
