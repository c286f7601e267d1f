import { describe, expect, it } from 'vitest';
import { ApiError } from '#core/api/errors.ts';
import { parseFeedBody, parseFeedRequest, type FeedField } from '#core/file-exporter/params.ts';

const ALL: FeedField[] = ['feed', 'version', 'format', 'date', 'interval', 'fileName'];

function code(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    return error instanceof ApiError ? error.code : 'not an ApiError';
  }
}

describe('File Exporter parameter forms', () => {
  it.each([
    ['feed', 'utterances', 'utterances'],
    ['feed', 'feed=utterances', 'utterances'],
    ['version', '1', '1'],
    ['version', 'version=1', '1'],
    ['format', 'jsonl', 'jsonl'],
    ['format', 'format=jsonl', 'jsonl'],
    ['format', 'csv', 'csv'],
    ['format', 'format=csv', 'csv'],
    ['date', '2026-11-24', '2026-11-24'],
    ['date', 'dt=2026-11-24', '2026-11-24'],
    ['interval', '13', '13'],
    ['interval', 'hr=13', '13'],
    ['interval', '7', '07'],
    ['interval', 'hr=07', '07'],
    ['interval', '00', '00'],
    ['interval', 'hr=23', '23'],
    ['fileName', 'part-0000.jsonl', 'part-0000.jsonl'],
    ['fileName', 'hr=13/part-0000.jsonl', 'hr=13/part-0000.jsonl'],
  ] as const)('%s %j → bare %j, raw kept for the echo', (field, raw, bare) => {
    const request = parseFeedRequest({ [field]: raw }, [field]);
    expect(request[field]).toMatchObject({ raw, value: bare });
  });

  it('gives the interval its hour', () => {
    expect(parseFeedRequest({ interval: 'hr=09' }, ['interval']).interval?.hour).toBe(9);
  });

  it.each([
    ['feed', ''],
    ['feed', 'feed='],
    ['feed', 'utter ances'],
    ['feed', 'dt=utterances'],
    ['version', 'v1'],
    ['version', 'version='],
    ['version', 'format=1'],
    ['format', 'json-l'],
    ['format', 'version=jsonl'],
    ['date', '2026-11-31'],
    ['date', '2026-02-30'],
    ['date', '20261124'],
    ['date', 'date=2026-11-24'],
    ['date', 'dt=2026-1-24'],
    ['interval', '24'],
    ['interval', 'hr=24'],
    ['interval', 'hr=1300'],
    ['interval', 'hr=01/mi=01'],
    ['interval', 'dt=13'],
    ['interval', '-1'],
    ['fileName', ''],
    ['fileName', 'x'.repeat(1025)],
  ] as const)('%s %j is malformed → 400-01', (field, raw) => {
    expect(code(() => parseFeedRequest({ [field]: raw }, [field]))).toBe('400-01');
  });

  it.each([1, true, null, ['1'], { v: 1 }])('a non-string value %j is 400-01 (null counts as missing)', (value) => {
    expect(code(() => parseFeedRequest({ version: value }, ['version']))).toBe('400-01');
  });

  it('a missing required field is 400-01; a missing optional one is simply absent', () => {
    expect(code(() => parseFeedRequest({ feed: 'utterances' }, ['feed', 'version']))).toBe('400-01');
    expect(parseFeedRequest({ feed: 'utterances' }, ['feed'], ['interval'])).toEqual({ feed: { raw: 'utterances', value: 'utterances' } });
  });

  it('takes `file` as an alias of `fileName`, which wins when both are sent', () => {
    expect(parseFeedRequest({ file: 'part-0001.csv' }, ['fileName']).fileName?.value).toBe('part-0001.csv');
    expect(parseFeedRequest({ file: 'part-0001.csv', fileName: 'part-0002.csv' }, ['fileName']).fileName?.value).toBe('part-0002.csv');
    expect(code(() => parseFeedRequest({}, ['fileName']))).toBe('400-01');
  });

  it('ignores unknown fields and fields the endpoint does not take', () => {
    expect(parseFeedRequest({ feed: 'utterances', colour: 'blue', interval: 'garbage' }, ['feed'])).toEqual({
      feed: { raw: 'utterances', value: 'utterances' },
    });
  });

  it('parses every field at once', () => {
    const request = parseFeedRequest(
      { feed: 'feed=utterances', version: '1', format: 'format=csv', date: 'dt=2026-11-24', interval: '13', fileName: 'part-0000.csv' },
      ALL,
    );
    expect(Object.fromEntries(Object.entries(request).map(([k, v]) => [k, v.value]))).toEqual({
      feed: 'utterances',
      version: '1',
      format: 'csv',
      date: '2026-11-24',
      interval: '13',
      fileName: 'part-0000.csv',
    });
  });

  describe('body', () => {
    it('treats an empty body as {}', () => {
      expect(parseFeedBody(undefined)).toEqual({});
      expect(parseFeedBody('  ')).toEqual({});
      expect(parseFeedBody('{}')).toEqual({});
    });
    it.each(['not json', '[]', '"utterances"', '42', 'null'])('%j is 400-01', (raw) => {
      expect(code(() => parseFeedBody(raw))).toBe('400-01');
    });
  });
});
