import type { UtteranceToken } from '../domain/utterance.ts';
import type { EngineWord } from './engine-output.ts';
import { cleanEngineWord, formatSentence, isRawWord } from './sentence.ts';

/*
 * Detailed tokens (docs/api-contract.md §3.2): one per word, punctuation attached to a neighbouring word,
 * never a token of its own. Raw engine words go through the same formatting as the utterance text,
 * so a number spoken as several words is one token spanning their times ("4556", not "four" "five" …).
 */

/** Marks that open what follows them; everything else closes what precedes it. */
const OPENING = new Set(['¿', '¡', '(', '[', '{', '“', '‘', '«']);
/** Marks that open and close alternately. */
const QUOTES = new Set(['"', "'"]);

interface Draft {
  content: string;
  start: number;
  end: number;
  after: string;
  before: string;
}

function toToken(d: Draft): UtteranceToken {
  // Key order as in the contract's example.
  return {
    content: d.content,
    start: d.start,
    end: d.end,
    ...(d.after ? { punctuationAfter: d.after } : {}),
    ...(d.before ? { punctuationBefore: d.before } : {}),
  };
}

function ms(value: number, offsetMs: number): number {
  return Math.round(value + offsetMs);
}

function formattedTokens(words: readonly EngineWord[], offsetMs: number): UtteranceToken[] {
  const drafts: Draft[] = [];
  let pending = '';
  let quoteOpen = false;
  for (const item of words) {
    if (item.kind === 'word') {
      if (!item.content) continue;
      drafts.push({ content: item.content, start: ms(item.startMs, offsetMs), end: ms(item.endMs, offsetMs), after: '', before: pending });
      pending = '';
      continue;
    }
    const mark = item.content;
    let opens = OPENING.has(mark);
    if (QUOTES.has(mark)) {
      opens = !quoteOpen;
      quoteOpen = !quoteOpen;
    }
    const previous = drafts.at(-1);
    if (!opens && previous) previous.after += mark;
    else pending += mark;
  }
  // Opening marks with no word after them stay with the last word rather than vanish.
  const last = drafts.at(-1);
  if (pending && last) last.after += pending;
  return drafts.map(toToken);
}

function spokenTokens(words: readonly EngineWord[], offsetMs: number): UtteranceToken[] {
  const sentence = formatSentence(words.map((w) => w.content));
  const tokens = sentence.segments.map((s) => ({
    content: s.text,
    start: ms(words[s.from].startMs, offsetMs),
    end: ms(words[s.to - 1].endMs, offsetMs),
  }));
  const last = tokens.at(-1);
  return last ? [...tokens.slice(0, -1), { ...last, punctuationAfter: sentence.end }] : [];
}

/**
 * Engine word items as detailed tokens. `offsetMs` is added to every time (and times are rounded to
 * whole milliseconds) for engines whose times are not yet on the call timeline.
 */
export function formatTokens(words: readonly EngineWord[], offsetMs = 0): UtteranceToken[] {
  const spoken: EngineWord[] = [];
  for (const w of words) {
    const content = w.kind === 'word' ? cleanEngineWord(w.content) : undefined;
    if (w.kind === 'word' && content === undefined) continue;
    if (content === undefined || !isRawWord(content)) return formattedTokens(words, offsetMs);
    spoken.push({ ...w, content });
  }
  return spokenTokens(spoken, offsetMs);
}
