import type { EngineEntity, EngineWord } from '../text/engine-output.ts';
import { applyMask, mergeSpans, type RedactionSpan } from './mask.ts';
import type { RedactionResult } from './redact.ts';

/*
 * Personal data that Amazon Transcribe identified (ContentIdentificationType PII) as character spans
 * of the transcript, so it can be masked with `#` like the rule matches (docs/api-contract.md §6.3, §9).
 */

/** Masked by default; NAME and ADDRESS are not, as ASAPP's defaults do not cover them. */
export const DEFAULT_ENTITY_TYPES: readonly string[] = [
  'CREDIT_DEBIT_NUMBER',
  'CREDIT_DEBIT_CVV',
  'CREDIT_DEBIT_EXPIRY',
  'SSN',
  'PIN',
  'PHONE',
  'EMAIL',
  'BANK_ACCOUNT_NUMBER',
  'BANK_ROUTING',
];

/** Where each word item sits in the text, found in order; undefined where it cannot be found. */
function locateWords(text: string, words: readonly EngineWord[]): Array<{ word: EngineWord; start: number; end: number } | undefined> {
  let cursor = 0;
  return words.map((word) => {
    if (word.kind !== 'word' || !word.content) return undefined;
    const at = text.indexOf(word.content, cursor);
    if (at < 0) return undefined;
    cursor = at + word.content.length;
    return { word, start: at, end: cursor };
  });
}

function occurrences(text: string, needle: string): Array<{ start: number; end: number }> {
  const out: Array<{ start: number; end: number }> = [];
  if (!needle.trim()) return out;
  const haystack = text.toLowerCase();
  const lower = needle.toLowerCase();
  for (let at = haystack.indexOf(lower); at >= 0; at = haystack.indexOf(lower, at + 1)) {
    out.push({ start: at, end: at + needle.length });
  }
  return out;
}

/**
 * Spans of `text` holding the entities of the wanted types. Two ways of finding them, both used
 * because masking too much is safer than too little: every occurrence of the entity's content, and
 * the words whose times overlap the entity's (which finds it when the text writes it differently).
 */
export function entitySpans(
  text: string,
  words: readonly EngineWord[],
  entities: readonly EngineEntity[],
  types: readonly string[] = DEFAULT_ENTITY_TYPES,
): RedactionSpan[] {
  const wanted = new Set(types);
  const located = locateWords(text, words);
  const spans: RedactionSpan[] = [];
  for (const entity of entities) {
    if (!wanted.has(entity.type)) continue;
    const rule = `pii:${entity.type}`;
    for (const o of occurrences(text, entity.content)) spans.push({ rule, ...o });
    const { startMs, endMs } = entity;
    if (startMs === undefined || endMs === undefined) continue;
    for (const w of located) {
      if (w && w.word.startMs < endMs && w.word.endMs > startMs) spans.push({ rule, start: w.start, end: w.end });
    }
  }
  return mergeSpans(spans);
}

/** Masks the wanted entities only (the rules are applied by `redact`). */
export function maskEntities(
  text: string,
  words: readonly EngineWord[],
  entities: readonly EngineEntity[],
  types: readonly string[] = DEFAULT_ENTITY_TYPES,
): RedactionResult {
  const spans = entitySpans(text, words, entities, types);
  return { text: applyMask(text, spans), spans };
}
