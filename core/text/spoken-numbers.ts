import type { Segment } from './segment.ts';

/*
 * Inverse text normalisation of spoken English numbers, for engines that write every word out
 * ("four five five six" → "4556").
 *
 * Rules (docs/api-contract.md §6.4; redaction depends on digits being written as digits):
 * - A run of adjacent number words is read as groups: single digits, "double/triple X", and cardinals
 *   ("forty nine", "eight hundred", "two thousand and five"). One group is written as its value; several
 *   groups are written one after the other with nothing between them, because in a contact centre a
 *   run of spoken numbers is almost always an identifier read out in chunks ("one eight hundred five
 *   five five …" → 1800555…, "nineteen eighty four" → 1984, card numbers digit by digit).
 * - A run that is one word worth 0–9 stays a word ("one moment", "the one I want", "two or three"),
 *   unless a unit follows (dollars, cents, percent) or it has a decimal part. Small numbers are
 *   pronouns and quantifiers far more often than figures, and written style spells them out.
 * - "oh" is a zero only after a number in the same run ("nine oh two one oh"), never at the start,
 *   where it is nearly always the interjection.
 * - A number spoken with scale words and worth 10,000 or more gets thousands separators
 *   ("twenty five thousand" → 25,000); smaller ones and digit strings never do, so years and
 *   identifiers stay contiguous (2005, 1800).
 * - Ordinals ("first", "twenty third") stay words: they are rarely sensitive and "second" is usually time.
 */

const UNITS: Readonly<Record<string, number>> = {
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
};
const TEENS: Readonly<Record<string, number>> = {
  ten: 10,
  eleven: 11,
  twelve: 12,
  thirteen: 13,
  fourteen: 14,
  fifteen: 15,
  sixteen: 16,
  seventeen: 17,
  eighteen: 18,
  nineteen: 19,
};
const TENS: Readonly<Record<string, number>> = {
  twenty: 20,
  thirty: 30,
  forty: 40,
  fifty: 50,
  sixty: 60,
  seventy: 70,
  eighty: 80,
  ninety: 90,
};
const SCALES: Readonly<Record<string, number>> = { thousand: 1e3, million: 1e6, billion: 1e9 };
const REPEATS: Readonly<Record<string, number>> = { double: 2, triple: 3 };

type Lexeme = { kind: 'unit' | 'teen' | 'tens' | 'compound'; value: number } | { kind: 'hundred' } | { kind: 'scale'; value: number };

function own(table: Readonly<Record<string, number>>, word: string): number | undefined {
  return Object.hasOwn(table, word) ? table[word] : undefined;
}

function lexeme(word: string | undefined): Lexeme | undefined {
  if (word === undefined) return undefined;
  const unit = own(UNITS, word);
  if (unit !== undefined) return { kind: 'unit', value: unit };
  const teen = own(TEENS, word);
  if (teen !== undefined) return { kind: 'teen', value: teen };
  const tens = own(TENS, word);
  if (tens !== undefined) return { kind: 'tens', value: tens };
  if (word === 'hundred') return { kind: 'hundred' };
  const scale = own(SCALES, word);
  if (scale !== undefined) return { kind: 'scale', value: scale };
  // Some dictionaries and transcripts hyphenate ("twenty-one").
  const [a, b, rest] = word.split('-');
  if (rest === undefined && a !== undefined && b !== undefined) {
    const t = own(TENS, a);
    const u = own(UNITS, b);
    if (t !== undefined && u !== undefined) return { kind: 'compound', value: t + u };
  }
  return undefined;
}

/** A word that reads as exactly one digit. */
export function digitOfWord(word: string | undefined): string | undefined {
  if (word === 'zero' || word === 'oh') return '0';
  const unit = word === undefined ? undefined : own(UNITS, word);
  return unit === undefined ? undefined : String(unit);
}

function startsDigitSequence(word: string | undefined): boolean {
  return digitOfWord(word) !== undefined || (word !== undefined && own(REPEATS, word) !== undefined);
}

interface Group {
  /** The group written as digits. */
  digits: string;
  value: number;
  /** Engine words the group used. */
  words: number;
  /** Spoken with hundred/thousand/…: a quantity rather than a digit string. */
  scaled: boolean;
}

interface CardinalState {
  total: number;
  lastScale: number;
  hundreds: number;
  /** The part below one hundred being built. */
  sub: number;
  subState: 'empty' | 'tens' | 'done';
  hasHundred: boolean;
  /** The last word was "hundred" or a scale word. */
  afterMultiplier: boolean;
  scaled: boolean;
}

/** Applies one number word to the cardinal being read; false when it cannot continue it. */
function accept(state: CardinalState, lx: Lexeme, nextWord: string | undefined): boolean {
  switch (lx.kind) {
    case 'unit':
      if (state.subState === 'tens') {
        state.sub += lx.value;
      } else if (state.subState === 'empty') {
        // "one eight hundred five five five …": a digit followed by more digits starts a digit
        // string rather than finishing the hundred.
        if (state.afterMultiplier && startsDigitSequence(nextWord)) return false;
        state.sub = lx.value;
      } else {
        return false;
      }
      state.subState = 'done';
      state.afterMultiplier = false;
      return true;
    case 'teen':
    case 'compound':
    case 'tens':
      if (state.subState !== 'empty') return false;
      state.sub = lx.value;
      state.subState = lx.kind === 'tens' ? 'tens' : 'done';
      state.afterMultiplier = false;
      return true;
    case 'hundred':
      if (state.hasHundred || state.subState === 'empty') return false;
      // "twenty five hundred" is 2500, but after a scale only a digit may be multiplied.
      if (state.total > 0 && state.sub > 9) return false;
      state.hundreds = state.sub * 100;
      state.sub = 0;
      state.subState = 'empty';
      state.hasHundred = true;
      state.afterMultiplier = true;
      state.scaled = true;
      return true;
    case 'scale':
      if (lx.value >= state.lastScale || state.hundreds + state.sub === 0) return false;
      state.total += (state.hundreds + state.sub) * lx.value;
      state.lastScale = lx.value;
      state.hundreds = 0;
      state.sub = 0;
      state.subState = 'empty';
      state.hasHundred = false;
      state.afterMultiplier = true;
      state.scaled = true;
      return true;
  }
}

function parseCardinal(words: readonly string[], i: number, end: number): Group | undefined {
  const state: CardinalState = {
    total: 0,
    lastScale: Infinity,
    hundreds: 0,
    sub: 0,
    subState: 'empty',
    hasHundred: false,
    afterMultiplier: false,
    scaled: false,
  };
  const at = (k: number): string | undefined => (k < end ? words[k] : undefined);
  let j = i;
  const first = at(i);
  const second = lexeme(at(i + 1));
  if (first === 'a' && (second?.kind === 'hundred' || second?.kind === 'scale')) {
    state.sub = 1;
    state.subState = 'done';
    j++;
  } else if (first === 'hundred' || first === 'thousand') {
    // "hundred percent", "thousand dollars": the engine often swallows a leading "a".
    state.sub = 1;
    state.subState = 'done';
  }

  let consumed = i;
  while (j < end) {
    const word = words[j];
    if (word === 'and') {
      // "one hundred and five", "two thousand and five"; never "five and six".
      const next = lexeme(at(j + 1));
      const joins = next !== undefined && next.kind !== 'hundred' && next.kind !== 'scale';
      if (!(state.afterMultiplier && state.subState === 'empty' && joins)) break;
      j++;
      continue;
    }
    const lx = lexeme(word);
    if (lx === undefined || !accept(state, lx, at(j + 1))) break;
    j++;
    consumed = j;
  }
  if (consumed === i) return undefined;
  const value = state.total + state.hundreds + state.sub;
  return { digits: String(value), value, words: consumed - i, scaled: state.scaled };
}

function parseGroup(words: readonly string[], i: number, end: number): Group | undefined {
  const word = words[i];
  if (word === 'zero') return { digits: '0', value: 0, words: 1, scaled: false };
  const times = own(REPEATS, word);
  if (times !== undefined) {
    // "double five" → 55; "double check" is not a number.
    const digit = i + 1 < end ? digitOfWord(words[i + 1]) : undefined;
    if (digit === undefined) return undefined;
    const digits = digit.repeat(times);
    return { digits, value: Number(digits), words: 2, scaled: false };
  }
  return parseCardinal(words, i, end);
}

const ZERO: Group = { digits: '0', value: 0, words: 1, scaled: false };

interface Run {
  groups: Group[];
  /** Digits after "point". */
  fraction?: string;
  /** Index of the first word after the run. */
  next: number;
}

function parseFraction(words: readonly string[], i: number, end: number): { digits: string; next: number } | undefined {
  let digits = '';
  let j = i;
  for (let d = digitOfWord(words[j]); j < end && d !== undefined; d = digitOfWord(words[++j])) digits += d;
  if (digits) return { digits, next: j };
  // "point twenty five"
  const group = parseCardinal(words, i, end);
  if (group && group.value < 100 && !group.scaled) return { digits: group.digits, next: i + group.words };
  return undefined;
}

function parseRun(words: readonly string[], i: number, end: number): Run | undefined {
  const groups: Group[] = [];
  let j = i;
  while (j < end) {
    if (words[j] === 'oh') {
      // After one number, "five oh wait" is an interjection; "nine oh two", "five five oh" are digits.
      const digitFollows = j + 1 < end && startsDigitSequence(words[j + 1]);
      if (groups.length === 0 || (!digitFollows && groups.length < 2)) break;
      groups.push(ZERO);
      j++;
      continue;
    }
    const group = parseGroup(words, j, end);
    if (!group) break;
    groups.push(group);
    j += group.words;
  }
  if (groups.length === 0) return undefined;
  if (words[j] === 'point' && j + 1 < end) {
    const fraction = parseFraction(words, j + 1, end);
    if (fraction) return { groups, fraction: fraction.digits, next: fraction.next };
  }
  return { groups, next: j };
}

function withThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+$)/g, ',');
}

function runText(run: Run): string {
  const only = run.groups.length === 1 ? run.groups[0] : undefined;
  const integer = only
    ? only.scaled && only.value >= 10_000
      ? withThousands(only.digits)
      : only.digits
    : run.groups.map((g) => g.digits).join('');
  return run.fraction === undefined ? integer : `${integer}.${run.fraction}`;
}

/** One word worth 0–9 with nothing else: kept as a word unless a unit makes it a figure. */
function isLoneSmallNumber(run: Run): boolean {
  const only = run.groups.length === 1 ? run.groups[0] : undefined;
  return only !== undefined && run.fraction === undefined && only.words === 1 && only.value <= 9;
}

/** "and ninety nine cents" after an amount in dollars: the two digits of the cents, or nothing. */
function parseCents(words: readonly string[], i: number, end: number): { digits: string; next: number } | undefined {
  const start = words[i] === 'and' ? i + 1 : i;
  const run = start < end ? parseRun(words, start, end) : undefined;
  if (!run || run.fraction !== undefined) return undefined;
  const unit = words[run.next];
  if (run.next >= end || (unit !== 'cents' && unit !== 'cent')) return undefined;
  const digits = runText(run);
  if (digits.length > 2) return undefined;
  return { digits: digits.padStart(2, '0'), next: run.next + 1 };
}

/**
 * Rewrites the spoken numbers among `words[from, to)` (lower-case engine words) as digits. Every word
 * in the range lands in exactly one segment, in order.
 */
export function normalizeNumberWords(words: readonly string[], from = 0, to: number = words.length): Segment[] {
  const out: Segment[] = [];
  let i = from;
  while (i < to) {
    const run = parseRun(words, i, to);
    if (!run) {
      out.push({ text: words[i], from: i, to: i + 1 });
      i++;
      continue;
    }
    const number = runText(run);
    const j = run.next;
    const unit = j < to ? words[j] : undefined;
    if (unit === 'dollars' || unit === 'dollar') {
      const amount = run.fraction?.length === 1 ? `${number}0` : number;
      const cents = run.fraction === undefined ? parseCents(words, j + 1, to) : undefined;
      const text = cents ? `$${amount}.${cents.digits}` : `$${amount}`;
      const next = cents ? cents.next : j + 1;
      out.push({ text, from: i, to: next });
      i = next;
    } else if (unit === 'percent' || (unit === 'per' && j + 1 < to && words[j + 1] === 'cent')) {
      const next = unit === 'percent' ? j + 1 : j + 2;
      out.push({ text: `${number}%`, from: i, to: next });
      i = next;
    } else if (isLoneSmallNumber(run) && unit !== 'cents' && unit !== 'cent') {
      out.push({ text: words[i], from: i, to: j });
      i = j;
    } else {
      out.push({ text: number, from: i, to: j });
      i = j;
    }
  }
  return out;
}

/** String form of {@link normalizeNumberWords} for space-separated lower-case engine text. */
export function normalizeSpokenNumbers(text: string): string {
  const words = text.trim().split(/\s+/).filter(Boolean);
  return normalizeNumberWords(words)
    .map((s) => s.text)
    .join(' ');
}
