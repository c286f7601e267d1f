import { describe, expect, it } from 'vitest';
import { findSpokenEmails } from '#core/text/spoken-email.ts';
import { inverseNormalize } from '#core/text/inverse-normalize.ts';

function normalize(text: string): string {
  return inverseNormalize(text.split(' '))
    .map((s) => s.text)
    .join(' ');
}

const cases: Array<[string, string]> = [
  ['john dot smith at example dot com', 'john.smith@example.com'],
  ['my email is jane at gmail dot com', 'my email is jane@gmail.com'],
  ['it is jsmith one two three at gmail dot com', 'it is jsmith123@gmail.com'],
  ['my email is one two three at gmail dot com', 'my email is 123@gmail.com'],
  ['mary underscore jones at work dot co dot uk', 'mary_jones@work.co.uk'],
  ['anne dash marie at example dot org', 'anne-marie@example.org'],
  ['info at acme dot io', 'info@acme.io'],
  ['john at example dot com and my pin is one two three four', 'john@example.com and my pin is 1234'],
  ['john dot smith at example dot com dot', 'john.smith@example.com dot'],
  ['ann at b dot com or carl at d dot net', 'ann@b.com or carl@d.net'],
  ['you can order it online at amazon dot com', 'you can order it online at amazon dot com'],
  ['visit us at example dot com', 'visit us at example dot com'],
  ['meet me at noon', 'meet me at noon'],
  ['at gmail dot com', 'at gmail dot com'],
  ['john at example dot banana', 'john at example dot banana'],
  ['call me at five five five one two three four', 'call me at 5551234'],
];

describe('spoken e-mail addresses', () => {
  it.each(cases)('%j → %j', (spoken, written) => {
    expect(normalize(spoken)).toBe(written);
  });

  it('reports the words an address was spoken in', () => {
    expect(findSpokenEmails('write to john dot smith at example dot com please'.split(' '))).toEqual([
      { text: 'john.smith@example.com', from: 2, to: 9 },
    ]);
  });
});
