import { describe, expect, it } from 'vitest';
import {
  datePrefix,
  feedRoot,
  formatPrefix,
  hourPrefix,
  intervalName,
  PART_FILE_PATTERN,
  partFileName,
  partKey,
} from '#core/daily-export/feed-layout.ts';

describe('feed key layout', () => {
  it('builds the documented keys', () => {
    expect(partKey('', 'jsonl', '2026-11-24', 13, 0)).toBe('utterances/version=1/format=jsonl/dt=2026-11-24/hr=13/part-0000.jsonl');
    expect(partKey('', 'csv', '2026-11-24', 0, 12)).toBe('utterances/version=1/format=csv/dt=2026-11-24/hr=00/part-0012.csv');
    expect(formatPrefix('', 'csv')).toBe('utterances/version=1/format=csv/');
    expect(datePrefix('', 'csv', '2026-11-24')).toBe('utterances/version=1/format=csv/dt=2026-11-24/');
    expect(hourPrefix('', 'csv', '2026-11-24', 7)).toBe('utterances/version=1/format=csv/dt=2026-11-24/hr=07/');
  });

  it('prefixes a tenant, encoded so it stays one path segment', () => {
    expect(feedRoot(undefined)).toBe('');
    expect(feedRoot('acme')).toBe('acme/');
    expect(feedRoot('a/b c')).toBe('a%2Fb%20c/');
    expect(partKey(feedRoot('acme'), 'jsonl', '2026-11-24', 1, 0)).toBe(
      'acme/utterances/version=1/format=jsonl/dt=2026-11-24/hr=01/part-0000.jsonl',
    );
  });

  it('numbers parts with at least four digits and never wraps', () => {
    expect(partFileName(9999, 'csv')).toBe('part-9999.csv');
    expect(partFileName(10000, 'csv')).toBe('part-10000.csv');
    expect(PART_FILE_PATTERN.test('part-10000.csv')).toBe(true);
    expect(PART_FILE_PATTERN.test('part-1.csv')).toBe(false);
  });

  it('names intervals hr=HH and refuses hours outside the day', () => {
    expect(intervalName(0)).toBe('hr=00');
    expect(intervalName(23)).toBe('hr=23');
    expect(() => intervalName(24)).toThrow(RangeError);
  });
});
