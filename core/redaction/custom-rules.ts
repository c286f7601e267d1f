import { RE2JS } from 're2js';
import { z } from 'zod';

/**
 * A tenant's own redaction on top of the contract's rules (rules.ts), from `TENANT_REDACTION_RULES`:
 * mask every number of N or more digits, and text matching the tenant's patterns (order numbers,
 * member ids…). Patterns come from configuration, not the wire, but one bad pattern must still not
 * stall the gateway: they run on RE2 (re2js), whose matching time is linear in the text whatever the
 * pattern — no catastrophic backtracking, so no ReDoS — and RE2 refuses what it cannot do in linear
 * time (back-references, look-around). Count and length are bounded; a pattern that matches empty text
 * would mask nothing and says the pattern is wrong, so it is refused too.
 */

export const CUSTOM_REDACTION_LIMITS = {
  tenants: 1_000,
  patterns: 20,
  patternChars: 200,
  minDigitRun: 3,
  maxDigitRun: 30,
  /** Matches taken from one pattern in one utterance; an utterance is a few hundred characters. */
  matchesPerPattern: 1_000,
} as const;

export interface CustomPattern {
  source: string;
  regex: RE2JS;
}

export interface CustomRedaction {
  /** Mask every written number, or chain of digit groups, with at least this many digits. */
  digitRuns?: number;
  patterns?: readonly CustomPattern[];
}

/** Per tenant; `*` applies to every tenant without an entry of its own. */
export type TenantRedactionRules = Readonly<Record<string, CustomRedaction>>;

const L = CUSTOM_REDACTION_LIMITS;
const entrySchema = z
  .object({
    digitRuns: z.number().int().min(L.minDigitRun).max(L.maxDigitRun).optional(),
    patterns: z.array(z.string().min(1).max(L.patternChars)).max(L.patterns).optional(),
  })
  .strict();

/** `TENANT_REDACTION_RULES`: JSON text (or empty) → validated rules with compiled patterns. */
export const tenantRedactionRulesSchema = z
  .preprocess(
    (value) => {
      if (value === undefined || value === '') return {};
      if (typeof value !== 'string') return value;
      try {
        return JSON.parse(value) as unknown;
      } catch {
        return value; // reported by the record check below as "expected object"
      }
    },
    z
      .record(z.string().min(1).max(128), entrySchema)
      .refine((rules) => Object.keys(rules).length <= L.tenants, `at most ${L.tenants} tenants`),
  )
  .transform((raw, ctx): TenantRedactionRules => {
    const rules: Record<string, CustomRedaction> = {};
    for (const [tenant, entry] of Object.entries(raw)) {
      const patterns: CustomPattern[] = [];
      for (const source of entry.patterns ?? []) {
        const compiled = compile(source);
        if (typeof compiled === 'string') ctx.addIssue({ code: 'custom', path: [tenant, 'patterns'], message: compiled });
        else patterns.push(compiled);
      }
      rules[tenant] = { ...(entry.digitRuns ? { digitRuns: entry.digitRuns } : {}), ...(patterns.length ? { patterns } : {}) };
    }
    return rules;
  });

function compile(source: string): CustomPattern | string {
  let regex: RE2JS;
  try {
    regex = RE2JS.compile(source);
  } catch (error) {
    return `pattern ${JSON.stringify(source)} is not a valid RE2 expression (${(error as Error).message})`;
  }
  if (regex.matches('')) return `pattern ${JSON.stringify(source)} matches empty text`;
  return { source, regex };
}

export function customRedactionFor(rules: TenantRedactionRules, tenant: string): CustomRedaction | undefined {
  return Object.hasOwn(rules, tenant) ? rules[tenant] : rules['*'];
}

/** Where a tenant's patterns match in `text`, as character offsets. */
export function patternMatches(text: string, patterns: readonly CustomPattern[]): Array<{ start: number; end: number }> {
  const out: Array<{ start: number; end: number }> = [];
  for (const { regex } of patterns) {
    const matcher = regex.matcher(text);
    for (let n = 0; n < L.matchesPerPattern && matcher.find(); n++) {
      if (matcher.end() > matcher.start()) out.push({ start: matcher.start(), end: matcher.end() });
    }
  }
  return out;
}
