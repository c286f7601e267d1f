import { describe, expect, it } from 'vitest';
import {
  ALWAYS_ON_RULES,
  DEFAULT_RULES,
  REDACTION_RULES,
  RedactionConfigError,
  resolveRules,
  withAlwaysOn,
} from '#core/redaction/rules.ts';

describe('redaction rules', () => {
  it('turns every rule on by default', () => {
    expect([...DEFAULT_RULES].sort()).toEqual([...REDACTION_RULES].sort());
    expect(resolveRules()).toEqual([...DEFAULT_RULES]);
    expect(resolveRules({ disabled: [] })).toEqual([...DEFAULT_RULES]);
  });

  it('keeps cards, SSNs and 9-digit numbers always on', () => {
    expect([...ALWAYS_ON_RULES].sort()).toEqual(['credit-card', 'digits-9', 'ssn']);
  });

  it.each([['phone'], ['email'], ['digits-3-4'], ['digits-10'], ['long-digits']])('lets a tenant switch %s off', (rule) => {
    const rules = resolveRules({ disabled: [rule] });
    expect(rules).not.toContain(rule);
    expect(rules).toHaveLength(DEFAULT_RULES.length - 1);
    for (const always of ALWAYS_ON_RULES) expect(rules).toContain(always);
  });

  it('switches several off at once', () => {
    expect(resolveRules({ disabled: ['email', 'phone', 'email'] })).toEqual(DEFAULT_RULES.filter((r) => r !== 'email' && r !== 'phone'));
  });

  it.each([['credit-card'], ['ssn'], ['digits-9']])('refuses to switch %s off', (rule) => {
    expect(() => resolveRules({ disabled: [rule] })).toThrow(RedactionConfigError);
    expect(() => resolveRules({ disabled: [rule] })).toThrow(/always on/);
  });

  it.each([['cards'], ['Phone'], ['']])('refuses the unknown rule %j', (rule) => {
    expect(() => resolveRules({ disabled: [rule] })).toThrow(/unknown redaction rule/);
  });

  it('adds always-on rules to any requested set, in rule order', () => {
    expect(withAlwaysOn([])).toEqual(['credit-card', 'ssn', 'digits-9']);
    expect(withAlwaysOn(['email', 'ssn'])).toEqual(['credit-card', 'ssn', 'email', 'digits-9']);
  });
});
