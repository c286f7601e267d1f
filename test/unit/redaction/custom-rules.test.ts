import { describe, expect, it } from 'vitest';
import { CUSTOM_REDACTION_LIMITS, tenantRedactionRulesSchema, type TenantRedactionRules } from '#core/redaction/custom-rules.ts';
import { redact } from '#core/redaction/redact.ts';
import { renderUtteranceText, tenantRedaction } from '#core/text/pipeline.ts';
import { loadGatewayConfig } from '#gateway/config.ts';

/**
 * Finding: runs of 5, 6, 11 and 12 digits passed unmasked ("It's for … 111111111111.", "555201"),
 * because only the contract's lengths are masked. A tenant may now mask every run of N or more digits,
 * and its own patterns (RE2: linear time, no ReDoS); the defaults are unchanged.
 */

function rules(json: unknown): TenantRedactionRules {
  return tenantRedactionRulesSchema.parse(JSON.stringify(json));
}

const masked = (text: string, tenant: string, r: TenantRedactionRules) =>
  renderUtteranceText({ text }, { redaction: tenantRedaction(r)(tenant), wantTokens: false }).maskedText;

describe('tenant redaction rules', () => {
  const r = rules({ acme: { digitRuns: 5, patterns: ['ORD-[0-9]{6}', '(?i)member [a-z]{2}[0-9]{4}'] }, '*': { digitRuns: 11 } });

  it('the defaults leave 5-, 6-, 11- and 12-digit runs readable', () => {
    for (const text of ["It's for 111111111111.", 'my code is 555201', 'ref 12345', 'account 21111111111']) {
      expect(redact(text).text).toBe(text);
    }
  });

  it('digitRuns masks every run of N or more digits, written alone or in groups', () => {
    expect(masked("It's for 111111111111.", 'acme', r)).toBe("It's for ############.");
    expect(masked('my code is 555201', 'acme', r)).toBe('my code is ######');
    expect(masked('ref 12 345', 'acme', r)).toBe('ref ## ###');
    // Shorter runs stay as the default rules leave them (2 digits readable, 3–4 masked by default).
    expect(masked('room 42', 'acme', r)).toBe('room 42');
  });

  it('patterns mask what they match, and only that', () => {
    expect(masked('order ORD-123456 shipped', 'acme', r)).toBe('order ########## shipped');
    expect(masked('I am Member AB1234 here', 'acme', r)).toBe('I am ###### ###### here');
  });

  it('"*" applies to tenants without an entry; a tenant entry replaces it', () => {
    expect(masked('my code is 555201', 'other', r)).toBe('my code is 555201');
    expect(masked('account 21111111111', 'other', r)).toBe('account ###########');
    expect(masked('my code is 555201', 'x', rules({}))).toBe('my code is 555201');
  });

  it('runs in linear time: a pattern that backtracks catastrophically elsewhere is harmless', () => {
    const evil = rules({ t: { patterns: ['(a+)+$', '(a|aa)+b', '(.*a){12}'] } });
    const text = `${'a'.repeat(5_000)}!`;
    // A backtracking engine would not return from this in the lifetime of the test.
    expect(masked(text, 't', evil)).toMatch(/^#+!$|^a+!$/);
  });
});

describe('TENANT_REDACTION_RULES validation', () => {
  const L = CUSTOM_REDACTION_LIMITS;
  it.each<[string, unknown, RegExp]>([
    ['not JSON', '{nope', /expected (object|record)/i],
    ['a list', '[1]', /expected (object|record)/i],
    ['an unknown field', { acme: { digitRun: 5 } }, /unrecognized key/i],
    ['digitRuns too small', { acme: { digitRuns: 2 } }, /3/],
    ['digitRuns not whole', { acme: { digitRuns: 5.5 } }, /int/i],
    ['too many patterns', { acme: { patterns: Array.from({ length: L.patterns + 1 }, (_, i) => `x${i}`) } }, /20/],
    ['a pattern too long', { acme: { patterns: ['a'.repeat(L.patternChars + 1)] } }, /200/],
    ['a back-reference (not linear)', { acme: { patterns: ['(a)\\1'] } }, /not a valid RE2 expression/],
    ['look-ahead (not linear)', { acme: { patterns: ['a(?=b)'] } }, /not a valid RE2 expression/],
    ['an unbalanced group', { acme: { patterns: ['(abc'] } }, /not a valid RE2 expression/],
    ['a pattern matching empty text', { acme: { patterns: ['x*'] } }, /matches empty text/],
  ])('refuses %s, naming the variable, at start', (_, value, message) => {
    const env = { TENANT_REDACTION_RULES: typeof value === 'string' ? value : JSON.stringify(value) };
    expect(() => loadGatewayConfig(env)).toThrow(/TENANT_REDACTION_RULES/);
    expect(() => loadGatewayConfig(env)).toThrow(message);
  });

  it('accepts none, and a valid set', () => {
    expect(loadGatewayConfig({}).TENANT_REDACTION_RULES).toEqual({});
    const loaded = loadGatewayConfig({ TENANT_REDACTION_RULES: JSON.stringify({ '*': { digitRuns: 6, patterns: ['ORD-\\d+'] } }) });
    expect(loaded.TENANT_REDACTION_RULES['*'].digitRuns).toBe(6);
    expect(loaded.TENANT_REDACTION_RULES['*'].patterns?.map((p) => p.source)).toEqual(['ORD-\\d+']);
  });
});
