import { describe, expect, it } from 'vitest';
import { passesLuhn } from '#core/redaction/luhn.ts';

describe('passesLuhn', () => {
  it.each([
    '4556737586899855',
    '4111111111111111',
    '5555555555554444',
    '378282246310005',
    '6011111111111117',
    '4222222222222',
    '79927398713',
    '0',
  ])('accepts %s', (digits) => expect(passesLuhn(digits)).toBe(true));

  it.each(['4556737586899858', '4111111111111112', '79927398710', '1234567890123456', '', '4556 7375', 'abc'])('rejects %j', (digits) =>
    expect(passesLuhn(digits)).toBe(false),
  );
});
