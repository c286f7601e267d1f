import { patternMatches, type CustomRedaction } from './custom-rules.ts';
import { applyMask, mergeSpans, type RedactionSpan } from './mask.ts';
import { RULE_MATCHERS, digitRuns, scanText } from './matchers.ts';
import { DEFAULT_RULES, withAlwaysOn, type RedactionRuleName } from './rules.ts';

export interface RedactOptions {
  /** Rules to run; always-on rules run whatever is listed. Defaults to every default rule. */
  rules?: readonly RedactionRuleName[];
  /** Further spans to mask, e.g. engine-identified personal data; `rule` defaults to `entity`. */
  entitySpans?: ReadonlyArray<{ start: number; end: number; rule?: string }>;
  /** The tenant's own rules (custom-rules.ts): digit runs of N or more, patterns. */
  custom?: CustomRedaction;
}

export interface RedactionResult {
  /** The text with every sensitive span masked by `#`. */
  text: string;
  /** The masked spans, merged, in text order. */
  spans: RedactionSpan[];
}

/**
 * Masks the sensitive spans of smart-formatted text (docs/api-contract.md §6). Best effort: it reduces
 * exposure, it does not guarantee there is none.
 */
export function redact(text: string, options: RedactOptions = {}): RedactionResult {
  const scan = scanText(text);
  const found: RedactionSpan[] = [];
  for (const rule of withAlwaysOn(options.rules ?? DEFAULT_RULES)) {
    for (const m of RULE_MATCHERS[rule](scan)) found.push({ rule, start: m.start, end: m.end });
  }
  const { custom } = options;
  if (custom?.digitRuns) for (const m of digitRuns(scan, custom.digitRuns)) found.push({ rule: 'digit-run', ...m });
  if (custom?.patterns) for (const m of patternMatches(text, custom.patterns)) found.push({ rule: 'custom-pattern', ...m });
  for (const s of options.entitySpans ?? []) {
    const start = Math.max(0, s.start);
    const end = Math.min(text.length, s.end);
    if (end > start) found.push({ rule: s.rule ?? 'entity', start, end });
  }
  const spans = mergeSpans(found);
  return { text: applyMask(text, spans), spans };
}
