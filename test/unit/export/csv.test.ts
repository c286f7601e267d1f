import { describe, expect, it } from 'vitest';
import { csvField, csvRecord } from '#core/daily-export/csv.ts';
import { parseCsv } from './support/rfc4180.ts';

describe('RFC 4180 writer', () => {
  it.each([
    ['plain', 'plain'],
    ['', ''],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['"', '""""'],
    ['line\nbreak', '"line\nbreak"'],
    ['carriage\rreturn', '"carriage\rreturn"'],
    ['crlf\r\ninside', '"crlf\r\ninside"'],
    ['  padded  ', '  padded  '],
    ["it's", "it's"],
    ['ünïcødé ✓ 😀', 'ünïcødé ✓ 😀'],
  ])('field %j → %j', (value, expected) => {
    expect(csvField(value)).toBe(expected);
  });

  it('writes null and undefined as empty fields and numbers in decimal', () => {
    expect(csvRecord([null, undefined, 0, 1234, 'x'])).toBe(',,0,1234,x\r\n');
  });

  it('ends every record with CRLF', () => {
    expect(csvRecord(['a', 'b'])).toBe('a,b\r\n');
  });

  it('round-trips awkward values through a strict RFC 4180 reader', () => {
    const records = [
      ['conversation_id', 'utterance', 'hr'],
      ['c-1', 'Hello, my PIN is ####. "Quoted" text', '13'],
      ['c-2', 'multi\nline\r\nvalue\rwith CR', '00'],
      ['c-3', '', '23'],
      ['c-4', ',,,', '07'],
      ['c-5', '"', '07'],
      ['c-6', ' leading and trailing ', '07'],
      ['c-7', 'emoji 😀 and U+2028 \u2028 and tab \t', '07'],
    ];
    const text = records.map((r) => csvRecord(r)).join('');
    expect(parseCsv(text)).toEqual(records);
  });

  it('the reader rejects what RFC 4180 does not allow, so round trips prove something', () => {
    expect(() => parseCsv('a,b\n')).toThrow();
    expect(() => parseCsv('a"b,c\r\n')).toThrow();
    expect(() => parseCsv('"a"b,c\r\n')).toThrow();
    expect(() => parseCsv('"open\r\n')).toThrow();
  });
});
