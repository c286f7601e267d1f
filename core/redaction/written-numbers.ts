/*
 * Numbers as they appear in formatted text, for the digit-count rules. A digit run is read together
 * with the thousands separators and decimal part that make it one amount ("1,250.00" is a 4-digit
 * number; its cents are not a separate run), and runs separated by one space or hyphen form a chain,
 * the way identifiers are written in groups ("4556 7375 8689 9858", "123-45-6789").
 */

export interface WrittenNumber {
  /** The integer part, with its thousands separators: `[start, end)`. */
  start: number;
  end: number;
  /** Digits of the integer part. */
  digits: string;
  /** Written as an amount (thousands separators or a decimal part): never part of a chain. */
  composite: boolean;
}

const THOUSANDS = /^\d{1,3}(?:,\d{3})+(?:\.\d+)?$/;
const DECIMAL = /^\d+\.\d+$/;

export function writtenNumbers(text: string): WrittenNumber[] {
  const out: WrittenNumber[] = [];
  for (const m of text.matchAll(/\d+(?:[.,]\d+)*/g)) {
    const start = m.index;
    const token = m[0];
    if (THOUSANDS.test(token) || DECIMAL.test(token)) {
      const integer = token.split('.')[0];
      out.push({ start, end: start + integer.length, digits: integer.replaceAll(',', ''), composite: true });
      continue;
    }
    // Anything else ("555.123.4567", "12,34") is a sequence of separate runs.
    for (const part of token.matchAll(/\d+/g)) {
      out.push({ start: start + part.index, end: start + part.index + part[0].length, digits: part[0], composite: false });
    }
  }
  return out;
}

/** Plain runs grouped into chains (one space or hyphen between runs); a lone run is a chain of one. */
export function digitChains(text: string, numbers: readonly WrittenNumber[]): WrittenNumber[][] {
  const chains: WrittenNumber[][] = [];
  let current: WrittenNumber[] = [];
  for (const n of numbers) {
    const previous = current.at(-1);
    if (n.composite) {
      if (current.length) chains.push(current);
      current = [];
      continue;
    }
    const gap = previous ? text.slice(previous.end, n.start) : '';
    if (previous && (gap === ' ' || gap === '-')) {
      current.push(n);
    } else {
      if (current.length) chains.push(current);
      current = [n];
    }
  }
  if (current.length) chains.push(current);
  return chains;
}

export function chainDigits(chain: readonly WrittenNumber[]): string {
  return chain.map((n) => n.digits).join('');
}
