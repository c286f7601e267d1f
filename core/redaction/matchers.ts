import { passesLuhn } from './luhn.ts';
import type { RedactionRuleName } from './rules.ts';
import { chainDigits, digitChains, writtenNumbers, type WrittenNumber } from './written-numbers.ts';

/*
 * What each rule of docs/api-contract.md §6.3 finds in smart-formatted text.
 *
 * Decisions:
 * - Digit-count rules count the digits of a whole written number: "$1,250" and "$1250" are 4-digit
 *   numbers and are masked by the 3–4-digit rule like a PIN would be ("$####"); "$49.99" has a
 *   2-digit integer part and is not. Amounts cannot be told from PINs, CVVs and expiry dates reliably,
 *   and ASAPP masks them too. The same goes for years ("2024") and percentages ("100%").
 * - A run counts alone and, when it is written in groups, as the whole chain: "123 456 789" is a
 *   9-digit number, "48 21" a 4-digit one.
 * - A card is 13–19 digits passing Luhn, contiguous or a chain of groups; inside a longer chain the
 *   longest passing stretch of whole groups is taken ("4556 7375 8689 9858 123").
 * - 13 or more digits that are not a valid card are masked by `long-digits`: a single misrecognised
 *   digit breaks the Luhn check, and a card read out with one wrong digit still exposes the other
 *   fifteen. ASAPP's own rules include a long-run rule (`digits7plus`).
 */

export interface TextScan {
  text: string;
  numbers: WrittenNumber[];
  chains: WrittenNumber[][];
}

export interface Match {
  start: number;
  end: number;
}

export function scanText(text: string): TextScan {
  const numbers = writtenNumbers(text);
  return { text, numbers, chains: digitChains(text, numbers) };
}

function span(chain: readonly WrittenNumber[]): Match {
  return { start: chain[0].start, end: chain[chain.length - 1].end };
}

function creditCards({ chains }: TextScan): Match[] {
  const out: Match[] = [];
  for (const chain of chains) {
    let i = 0;
    while (i < chain.length) {
      let found = -1;
      for (let j = chain.length - 1; j >= i && found < 0; j--) {
        const digits = chainDigits(chain.slice(i, j + 1));
        if (digits.length >= 13 && digits.length <= 19 && passesLuhn(digits)) found = j;
      }
      if (found >= 0) {
        out.push(span(chain.slice(i, found + 1)));
        i = found + 1;
      } else {
        i++;
      }
    }
  }
  return out;
}

function socialSecurityNumbers({ chains }: TextScan): Match[] {
  const out: Match[] = [];
  for (const chain of chains) {
    if (chain.length === 1 && chain[0].digits.length === 9) out.push(span(chain));
    for (let i = 0; i + 2 < chain.length; i++) {
      const [a, b, c] = [chain[i], chain[i + 1], chain[i + 2]];
      if (a.digits.length === 3 && b.digits.length === 2 && c.digits.length === 4) out.push(span([a, b, c]));
    }
  }
  return out;
}

/** Written numbers, and chains of several groups, whose digit count passes `test`. */
function byDigitCount(scan: TextScan, test: (count: number) => boolean, { amounts }: { amounts: boolean }): Match[] {
  const out: Match[] = [];
  for (const n of scan.numbers) {
    if ((amounts || !n.composite) && test(n.digits.length)) out.push({ start: n.start, end: n.end });
  }
  for (const chain of scan.chains) {
    if (chain.length > 1 && test(chainDigits(chain).length)) out.push(span(chain));
  }
  return out;
}

const SEP = '[ .-]?';
/** North American numbers: optional +1, area code with or without parentheses, separators optional. */
const NANP = new RegExp(String.raw`(?<![\d+])(?:\+?1${SEP})?(?:\(\d{3}\) ?|\d{3}${SEP})\d{3}${SEP}\d{4}(?!\d)`, 'g');
/** Seven-digit local numbers. */
const LOCAL = new RegExp(String.raw`(?<![\d+])\d{3}${SEP}\d{4}(?!\d)`, 'g');

function phoneNumbers({ text }: TextScan): Match[] {
  return [...text.matchAll(NANP), ...text.matchAll(LOCAL)].map((m) => ({ start: m.index, end: m.index + m[0].length }));
}

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;

function emailAddresses({ text }: TextScan): Match[] {
  return [...text.matchAll(EMAIL)].map((m) => ({ start: m.index, end: m.index + m[0].length }));
}

/** Every written number, and chain of digit groups, with at least `min` digits (a tenant's digit-run rule). */
export function digitRuns(scan: TextScan, min: number): Match[] {
  return byDigitCount(scan, (n) => n >= min, { amounts: true });
}

export const RULE_MATCHERS: Readonly<Record<RedactionRuleName, (scan: TextScan) => Match[]>> = {
  'credit-card': creditCards,
  ssn: socialSecurityNumbers,
  'digits-9': (scan) => byDigitCount(scan, (n) => n === 9, { amounts: true }),
  phone: phoneNumbers,
  'digits-10': (scan) => byDigitCount(scan, (n) => n === 10, { amounts: true }),
  'long-digits': (scan) => byDigitCount(scan, (n) => n >= 13, { amounts: false }),
  'digits-3-4': (scan) => byDigitCount(scan, (n) => n === 3 || n === 4, { amounts: true }),
  email: emailAddresses,
};
