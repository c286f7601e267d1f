/*
 * The redaction rules (docs/api-contract.md §6.3) by name, which are on by default, and which cannot be
 * switched off. The order ranks them from most to least specific: a masked span found by several
 * rules is reported under the first.
 */

export const REDACTION_RULES = ['credit-card', 'ssn', 'phone', 'email', 'digits-9', 'digits-10', 'long-digits', 'digits-3-4'] as const;

export type RedactionRuleName = (typeof REDACTION_RULES)[number];

/** Only switching redaction off for the whole tenant removes these. */
export const ALWAYS_ON_RULES: readonly RedactionRuleName[] = ['credit-card', 'ssn', 'digits-9'];

/** Every rule is on unless the tenant switches it off. */
export const DEFAULT_RULES: readonly RedactionRuleName[] = [...REDACTION_RULES];

export class RedactionConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RedactionConfigError';
  }
}

function isRedactionRuleName(name: string): name is RedactionRuleName {
  return (REDACTION_RULES as readonly string[]).includes(name);
}

/**
 * The rules in force for a tenant: the defaults minus those it switches off. Unknown names and
 * attempts to switch off an always-on rule are configuration errors, reported rather than ignored so
 * that nobody believes a rule is off when it is not.
 */
export function resolveRules(config: { disabled?: readonly string[] } = {}): RedactionRuleName[] {
  const disabled = new Set<string>();
  for (const name of config.disabled ?? []) {
    if (!isRedactionRuleName(name)) {
      throw new RedactionConfigError(`unknown redaction rule "${name}"; known rules: ${REDACTION_RULES.join(', ')}`);
    }
    if (ALWAYS_ON_RULES.includes(name)) {
      throw new RedactionConfigError(`redaction rule "${name}" is always on and cannot be switched off`);
    }
    disabled.add(name);
  }
  return DEFAULT_RULES.filter((name) => !disabled.has(name));
}

/** The rules to run for a requested set: always-on rules are added whatever was asked. */
export function withAlwaysOn(rules: readonly RedactionRuleName[]): RedactionRuleName[] {
  const wanted = new Set<RedactionRuleName>([...ALWAYS_ON_RULES, ...rules]);
  return REDACTION_RULES.filter((name) => wanted.has(name));
}
