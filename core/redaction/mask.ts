import { REDACTION_RULES } from './rules.ts';

/** A sensitive span of text: characters `[start, end)`. `rule` names what found it. */
export interface RedactionSpan {
  rule: string;
  start: number;
  end: number;
}

/** Lower ranks name a merged span: the more specific rule says more about what was hidden. */
function rank(rule: string): number {
  const k = (REDACTION_RULES as readonly string[]).indexOf(rule);
  return k === -1 ? REDACTION_RULES.length : k;
}

/** Spans in text order, overlapping or touching ones merged into one. */
export function mergeSpans(spans: readonly RedactionSpan[]): RedactionSpan[] {
  const sorted = spans.filter((s) => s.end > s.start).sort((a, b) => a.start - b.start || b.end - a.end);
  const merged: RedactionSpan[] = [];
  for (const span of sorted) {
    const last = merged.at(-1);
    if (last && span.start <= last.end) {
      last.end = Math.max(last.end, span.end);
      if (rank(span.rule) < rank(last.rule)) last.rule = span.rule;
    } else {
      merged.push({ ...span });
    }
  }
  return merged;
}

/**
 * Every non-whitespace character inside a span becomes `#` (docs/api-contract.md §6.1), so the text keeps
 * its length and a card keeps its grouping (`#### #### #### ####`).
 */
export function applyMask(text: string, spans: readonly RedactionSpan[]): string {
  if (spans.length === 0) return text;
  let out = '';
  let cursor = 0;
  for (const { start, end } of mergeSpans(spans)) {
    const from = Math.max(start, cursor, 0);
    const to = Math.min(end, text.length);
    if (to <= from) continue;
    out += text.slice(cursor, from) + text.slice(from, to).replace(/\S/g, '#');
    cursor = to;
  }
  return out + text.slice(cursor);
}
