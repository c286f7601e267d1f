import { describe, expect, it } from 'vitest';
import { exportDay, type ExportProgress } from '#core/daily-export/export-day.ts';
import { FEED_COLUMNS } from '#core/daily-export/feed-row.ts';
import { memoryBucket, type MemoryBucket } from './support/memory-bucket.ts';
import { memorySource, storedMessage } from './support/messages.ts';
import { parseCsvObjects } from './support/rfc4180.ts';
import type { StoredMessage } from '#core/stores/messages.ts';

const DATE = '2026-11-24';
const config = { rowsPerFile: 100_000, extraColumns: false, tenantPrefix: false, defaultTenant: 'default' };

function jsonlRows(bucket: MemoryBucket, prefix = 'utterances/version=1/format=jsonl/') {
  return [...bucket.objects.keys()]
    .filter((k) => k.startsWith(prefix))
    .flatMap((key) =>
      bucket
        .text(key)
        .trimEnd()
        .split('\n')
        .map((line) => ({ key, row: JSON.parse(line) as Record<string, string> })),
    );
}

describe('export of one day', () => {
  it('writes every message of the day once, under the hour of its createdTimestamp, in both formats', async () => {
    const messages = [
      storedMessage('2026-11-23T23:59:59.999Z'),
      storedMessage('2026-11-24T00:00:00.000Z'),
      storedMessage('2026-11-24T00:30:00.000Z'),
      storedMessage('2026-11-24T13:07:56.412Z'),
      storedMessage('2026-11-24T13:59:59.999Z'),
      storedMessage('2026-11-24T23:59:59.999Z'),
      storedMessage('2026-11-25T00:00:00.000Z'),
    ];
    const bucket = memoryBucket();
    const source = memorySource(messages);
    const summary = await exportDay({ date: DATE, source, bucket, config });

    expect(source.queried).toHaveLength(24 * 16);
    expect(summary.rows).toBe(5);
    expect(summary.files.map((f) => f.key)).toEqual([
      'utterances/version=1/format=csv/dt=2026-11-24/hr=00/part-0000.csv',
      'utterances/version=1/format=csv/dt=2026-11-24/hr=13/part-0000.csv',
      'utterances/version=1/format=csv/dt=2026-11-24/hr=23/part-0000.csv',
      'utterances/version=1/format=jsonl/dt=2026-11-24/hr=00/part-0000.jsonl',
      'utterances/version=1/format=jsonl/dt=2026-11-24/hr=13/part-0000.jsonl',
      'utterances/version=1/format=jsonl/dt=2026-11-24/hr=23/part-0000.jsonl',
    ]);
    const rows = jsonlRows(bucket);
    expect(rows.map((r) => r.row.message_id).sort()).toEqual(
      messages
        .slice(1, 6)
        .map((m) => m.messageId)
        .sort(),
    );
    for (const { key, row } of rows) {
      expect(key).toContain(`/dt=${row.dt}/hr=${row.hr}/`);
      expect(Object.keys(row)).toEqual([...FEED_COLUMNS]);
    }
    const csv = [...bucket.objects.keys()].filter((k) => k.endsWith('.csv')).flatMap((k) => parseCsvObjects(bucket.text(k)).rows);
    expect(csv).toEqual(rows.map((r) => r.row));
  });

  it('orders each hour by messageId across shards', async () => {
    const messages = Array.from({ length: 200 }, (_, i) =>
      storedMessage(`2026-11-24T07:${String(Math.floor(i / 4)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}.000Z`),
    );
    const bucket = memoryBucket();
    await exportDay({ date: DATE, source: memorySource(messages), bucket, config });
    const ids = jsonlRows(bucket).map((r) => r.row.message_id);
    expect(ids).toEqual([...ids].sort());
    expect(ids).toHaveLength(200);
  });

  it('splits part files at rowsPerFile', async () => {
    const messages = Array.from({ length: 25 }, (_, i) => storedMessage(`2026-11-24T08:00:${String(i).padStart(2, '0')}.000Z`));
    const bucket = memoryBucket();
    const summary = await exportDay({ date: DATE, source: memorySource(messages), bucket, config: { ...config, rowsPerFile: 10 } });
    expect(summary.files.filter((f) => f.format === 'jsonl').map((f) => [f.key.slice(-15), f.rows])).toEqual([
      ['part-0000.jsonl', 10],
      ['part-0001.jsonl', 10],
      ['part-0002.jsonl', 5],
    ]);
  });

  it('a re-run replaces the day: same keys rewritten, files the new run did not write removed', async () => {
    const bucket = memoryBucket();
    const first = Array.from({ length: 25 }, (_, i) => storedMessage(`2026-11-24T08:00:${String(i).padStart(2, '0')}.000Z`));
    const extra = storedMessage('2026-11-24T09:00:00.000Z');
    await exportDay({ date: DATE, source: memorySource([...first, extra]), bucket, config: { ...config, rowsPerFile: 10 } });
    bucket.objects.set('utterances/version=1/format=jsonl/dt=2026-11-25/hr=00/part-0000.jsonl', {
      body: 'other day\n',
      contentType: 'x',
      lastModified: new Date(),
    });
    expect([...bucket.objects.keys()].filter((k) => k.includes('dt=2026-11-24'))).toHaveLength(8);

    const again = await exportDay({ date: DATE, source: memorySource(first), bucket, config });
    expect(again.files.map((f) => f.key)).toEqual([
      'utterances/version=1/format=csv/dt=2026-11-24/hr=08/part-0000.csv',
      'utterances/version=1/format=jsonl/dt=2026-11-24/hr=08/part-0000.jsonl',
    ]);
    expect(again.deleted.sort()).toEqual([
      'utterances/version=1/format=csv/dt=2026-11-24/hr=08/part-0001.csv',
      'utterances/version=1/format=csv/dt=2026-11-24/hr=08/part-0002.csv',
      'utterances/version=1/format=csv/dt=2026-11-24/hr=09/part-0000.csv',
      'utterances/version=1/format=jsonl/dt=2026-11-24/hr=08/part-0001.jsonl',
      'utterances/version=1/format=jsonl/dt=2026-11-24/hr=08/part-0002.jsonl',
      'utterances/version=1/format=jsonl/dt=2026-11-24/hr=09/part-0000.jsonl',
    ]);
    expect(jsonlRows(bucket, 'utterances/version=1/format=jsonl/dt=2026-11-24/')).toHaveLength(25);
    expect(bucket.objects.has('utterances/version=1/format=jsonl/dt=2026-11-25/hr=00/part-0000.jsonl')).toBe(true);
  });

  it('an empty day writes nothing and removes what an earlier run left', async () => {
    const bucket = memoryBucket();
    await exportDay({ date: DATE, source: memorySource([storedMessage('2026-11-24T10:00:00.000Z')]), bucket, config });
    expect(bucket.objects.size).toBe(2);
    const summary = await exportDay({ date: DATE, source: memorySource([]), bucket, config });
    expect(summary).toMatchObject({ rows: 0, files: [] });
    expect(summary.deleted).toHaveLength(2);
    expect(bucket.objects.size).toBe(0);
  });

  it('skips and counts an item indexed under an hour its timestamp does not belong to', async () => {
    const wrong: StoredMessage = { ...storedMessage('2026-11-24T10:00:00.000Z'), hourShard: '2026-11-24T11#00' };
    const summary = await exportDay({
      date: DATE,
      source: memorySource([wrong, storedMessage('2026-11-24T11:00:00.000Z')]),
      bucket: memoryBucket(),
      config,
    });
    expect(summary).toMatchObject({ rows: 1, misplaced: 1 });
  });

  it('with tenant prefixes, writes each company_marker under its own root and sweeps every tenant', async () => {
    const bucket = memoryBucket();
    const tenantConfig = { ...config, tenantPrefix: true };
    await exportDay({
      date: DATE,
      source: memorySource([
        storedMessage('2026-11-24T10:00:00.000Z', { tenant: 'acme' }),
        storedMessage('2026-11-24T10:00:01.000Z', { tenant: 'globex' }),
      ]),
      bucket,
      config: tenantConfig,
    });
    expect([...bucket.objects.keys()].sort()).toEqual([
      'acme/utterances/version=1/format=csv/dt=2026-11-24/hr=10/part-0000.csv',
      'acme/utterances/version=1/format=jsonl/dt=2026-11-24/hr=10/part-0000.jsonl',
      'globex/utterances/version=1/format=csv/dt=2026-11-24/hr=10/part-0000.csv',
      'globex/utterances/version=1/format=jsonl/dt=2026-11-24/hr=10/part-0000.jsonl',
    ]);
    const again = await exportDay({
      date: DATE,
      source: memorySource([storedMessage('2026-11-24T10:00:00.000Z', { tenant: 'acme' })]),
      bucket,
      config: tenantConfig,
    });
    expect(again.deleted.every((k) => k.startsWith('globex/'))).toBe(true);
    expect([...bucket.objects.keys()].every((k) => k.startsWith('acme/'))).toBe(true);
  });

  it('reports progress every progressEvery rows and at the end of each hour', async () => {
    const events: ExportProgress[] = [];
    const messages = Array.from({ length: 5 }, (_, i) => storedMessage(`2026-11-24T03:00:0${i}.000Z`));
    await exportDay({
      date: DATE,
      source: memorySource(messages),
      bucket: memoryBucket(),
      config,
      progressEvery: 2,
      onProgress: (p) => events.push(p),
    });
    expect(events.filter((e) => !e.hourDone).map((e) => e.rows)).toEqual([2, 4]);
    expect(events.filter((e) => e.hourDone)).toHaveLength(24);
    expect(events.at(-1)).toMatchObject({ hour: 23, rows: 5, hourDone: true });
  });

  it('a failing upload fails the run, aborts open files and keeps the earlier files of the day', async () => {
    const bucket = memoryBucket();
    await exportDay({
      date: DATE,
      source: memorySource([storedMessage('2026-11-24T10:00:00.000Z'), storedMessage('2026-11-24T12:00:00.000Z')]),
      bucket,
      config,
    });
    bucket.failOn = /hr=12\/.*\.csv$/;
    await expect(
      exportDay({
        date: DATE,
        source: memorySource([storedMessage('2026-11-24T10:00:00.000Z'), storedMessage('2026-11-24T12:00:00.000Z')]),
        bucket,
        config,
      }),
    ).rejects.toThrow(/hr=12/);
    expect(bucket.open_.size).toBe(0);
    expect([...bucket.objects.keys()].filter((k) => k.includes('hr=12'))).toHaveLength(2);
  });

  it('refuses a malformed date', async () => {
    await expect(exportDay({ date: '2026-02-30', source: memorySource([]), bucket: memoryBucket(), config })).rejects.toThrow(RangeError);
  });
});
