import { describe, expect, it } from 'vitest';
import { fileKey, listDates, listFiles, listHours } from '#core/file-exporter/feed-catalog.ts';
import { memoryBucket } from './support/memory-bucket.ts';

const base = 'utterances/version=1/format=jsonl/dt=2026-11-24/';

describe('feed catalog over the key layout', () => {
  it('resolves file names as listfeedfiles gives them', () => {
    expect(fileKey('', 'jsonl', '2026-11-24', 'part-0000.jsonl', 13)).toBe(`${base}hr=13/part-0000.jsonl`);
    expect(fileKey('', 'jsonl', '2026-11-24', 'hr=13/part-0000.jsonl')).toBe(`${base}hr=13/part-0000.jsonl`);
    expect(fileKey('', 'jsonl', '2026-11-24', 'hr=13/part-0000.jsonl', 13)).toBe(`${base}hr=13/part-0000.jsonl`);
    expect(fileKey('acme/', 'jsonl', '2026-11-24', 'hr=01/part-0002.jsonl')).toBe(
      'acme/utterances/version=1/format=jsonl/dt=2026-11-24/hr=01/part-0002.jsonl',
    );
  });

  it.each([
    ['part-0000.jsonl', undefined],
    ['hr=13/part-0000.jsonl', 12],
    ['part-0000.csv', 13],
    ['hr=24/part-0000.jsonl', undefined],
    ['../part-0000.jsonl', 13],
    ['hr=13/../hr=12/part-0000.jsonl', undefined],
    ['part-0000.jsonl?x=1', 13],
    ['part-0.jsonl', 13],
    ['PART-0000.JSONL', 13],
  ] as const)('%j with interval %j names no file', (name, hour) => {
    expect(fileKey('', 'jsonl', '2026-11-24', name, hour)).toBeUndefined();
  });

  it('lists dates, hours and files from the keys, in numeric order, ignoring foreign keys', async () => {
    const bucket = memoryBucket();
    const put = (key: string) => bucket.objects.set(key, { body: '', contentType: '', lastModified: new Date() });
    put(`${base}hr=13/part-0000.jsonl`);
    put(`${base}hr=13/part-10000.jsonl`);
    put(`${base}hr=13/part-9999.jsonl`);
    put(`${base}hr=02/part-0000.jsonl`);
    put(`${base}hr=02/notes.txt`);
    put(`${base}misc/part-0000.jsonl`);
    put('utterances/version=1/format=jsonl/dt=2026-11-20/hr=00/part-0000.jsonl');
    put('utterances/version=1/format=jsonl/dt=not-a-date/hr=00/part-0000.jsonl');
    put('utterances/version=1/format=csv/dt=2026-11-21/hr=00/part-0000.csv');

    expect(await listDates(bucket, '', 'jsonl')).toEqual(['2026-11-20', '2026-11-24']);
    expect(await listHours(bucket, '', 'jsonl', '2026-11-24')).toEqual([2, 13]);
    expect((await listFiles(bucket, '', 'jsonl', '2026-11-24')).map((f) => `${f.hour}/${f.name}`)).toEqual([
      '2/part-0000.jsonl',
      '13/part-0000.jsonl',
      '13/part-9999.jsonl',
      '13/part-10000.jsonl',
    ]);
    expect((await listFiles(bucket, '', 'jsonl', '2026-11-24', 2)).map((f) => f.name)).toEqual(['part-0000.jsonl']);
    expect(await listFiles(bucket, '', 'jsonl', '2026-11-24', 5)).toEqual([]);
  });
});
