import type { Segment } from './segment.ts';
import { digitOfWord } from './spoken-numbers.ts';

/*
 * Spoken e-mail addresses ("john dot smith at example dot com" → "john.smith@example.com"), so that
 * the e-mail redaction rule sees them. "at" is too common to trust on its own: a match needs a domain
 * of "dot"-joined labels ending in a known top-level domain.
 */

const TOP_LEVEL_DOMAINS = new Set([
  'com',
  'net',
  'org',
  'edu',
  'gov',
  'mil',
  'int',
  'io',
  'co',
  'us',
  'uk',
  'ca',
  'mx',
  'es',
  'info',
  'biz',
  'me',
  'tv',
  'ai',
  'app',
  'dev',
  'email',
  'online',
]);

const SEPARATORS: Readonly<Record<string, string>> = { dot: '.', underscore: '_', dash: '-', hyphen: '-' };

/**
 * Words that precede "at" in ordinary speech ("order it online at amazon dot com", "visit us at …")
 * and so do not start an address unless a spoken separator joins them to one.
 */
const NOT_LOCAL_PART = new Set([
  'is',
  'was',
  "it's",
  'its',
  'it',
  'me',
  'us',
  'you',
  'him',
  'her',
  'them',
  'my',
  'your',
  'our',
  'the',
  'a',
  'an',
  'to',
  'at',
  'and',
  'or',
  'um',
  'uh',
  'email',
  'e-mail',
  'mail',
  'address',
  'that',
  'this',
  'be',
  'send',
  'reach',
  'contact',
  'write',
  'online',
  'look',
  'shop',
  'order',
  'apply',
  'visit',
  'go',
  'find',
  'log',
  'sign',
  'in',
  'up',
  'here',
  'there',
  'available',
  'website',
  'site',
  'page',
  'account',
  'call',
]);

function isLabel(word: string | undefined): word is string {
  return word !== undefined && /^[a-z0-9]+$/.test(word) && word !== 'at' && !Object.hasOwn(SEPARATORS, word);
}

function isSeparator(word: string | undefined): word is string {
  return word !== undefined && Object.hasOwn(SEPARATORS, word);
}

/** The domain after "at" at `at`: labels joined by "dot", cut after the last top-level domain. */
function parseDomain(words: readonly string[], at: number): { text: string; to: number } | undefined {
  const labels: string[] = [];
  let j = at + 1;
  if (!isLabel(words[j])) return undefined;
  labels.push(words[j]);
  while (words[j + 1] === 'dot' && isLabel(words[j + 2])) {
    labels.push(words[j + 2]);
    j += 2;
  }
  for (let last = labels.length - 1; last >= 1; last--) {
    if (TOP_LEVEL_DOMAINS.has(labels[last])) {
      return { text: labels.slice(0, last + 1).join('.'), to: at + 2 + 2 * last };
    }
  }
  return undefined;
}

/** The local part before "at" at `at`, not reaching before `floor`. */
function parseLocalPart(words: readonly string[], at: number, floor: number): { text: string; from: number } | undefined {
  let p = at - 1;
  let digits = '';
  // "jsmith one two three at …" → jsmith123
  for (let d = digitOfWord(words[p]); p >= floor && d !== undefined; d = digitOfWord(words[--p])) digits = d + digits;
  let text: string;
  if (p >= floor && isLabel(words[p]) && !NOT_LOCAL_PART.has(words[p])) {
    text = words[p] + digits;
    p--;
  } else if (digits) {
    text = digits;
  } else {
    return undefined;
  }
  // An explicit separator makes any word part of the address.
  while (p - 1 >= floor && isSeparator(words[p]) && isLabel(words[p - 1])) {
    text = words[p - 1] + SEPARATORS[words[p]] + text;
    p -= 2;
  }
  return { text, from: p + 1 };
}

/** Spoken e-mail addresses among lower-case engine words, in order and not overlapping. */
export function findSpokenEmails(words: readonly string[]): Segment[] {
  const found: Segment[] = [];
  let floor = 0;
  for (let at = 1; at < words.length; at++) {
    if (words[at] !== 'at') continue;
    const domain = parseDomain(words, at);
    const local = domain && parseLocalPart(words, at, floor);
    if (!domain || !local) continue;
    found.push({ text: `${local.text}@${domain.text}`, from: local.from, to: domain.to });
    floor = domain.to;
    at = domain.to - 1;
  }
  return found;
}
