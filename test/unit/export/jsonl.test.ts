import { describe, expect, it } from 'vitest';
import { jsonlRecord } from '#core/daily-export/jsonl.ts';

describe('JSON Lines writer', () => {
  it('writes one compact object per line, keys in insertion order', () => {
    expect(jsonlRecord({ b: 1, a: 'x' })).toBe('{"b":1,"a":"x"}\n');
  });

  it('keeps newlines inside values escaped, so a record is one line', () => {
    const line = jsonlRecord({ utterance: 'one\ntwo\r\nthree' });
    expect(line.slice(0, -1)).not.toMatch(/[\r\n]/);
    expect(JSON.parse(line)).toEqual({ utterance: 'one\ntwo\r\nthree' });
  });

  it('escapes U+2028 and U+2029, which some readers treat as line ends, and parses back to the same text', () => {
    const value = { utterance: 'a\u2028b\u2029c' };
    const line = jsonlRecord(value);
    expect(line).toBe('{"utterance":"a\\u2028b\\u2029c"}\n');
    expect(line.slice(0, -1).split(/\r\n|\r|\n|\u2028|\u2029/)).toHaveLength(1);
    expect(JSON.parse(line)).toEqual(value);
  });
});
