import { beforeAll, describe, expect, it } from 'vitest';
import type { Utterance } from '#core/domain/utterance.ts';
import { FEED_COLUMNS } from '#core/daily-export/feed-row.ts';
import { createExportRuntime } from '#core/daily-export/runtime.ts';
import { createDailyExportHandler } from '#lambdas/daily-export/handler.ts';
import { useEmulators } from '#test/support/emulators.ts';
import { downloadDay, expectedRow, feedCall, feedWorld, ok, storeUtterance, type FeedWorld } from './support/feed-kit.ts';

/**
 * The daily export end to end on the emulators: utterances stored through the messages store, the
 * export Lambda, the File Exporter endpoints, and every file fetched through its presigned URL.
 */
useEmulators({ s3: true, prefix: 'export' });

const DAY = '2026-11-24';
const NOW = Date.parse('2026-11-25T10:00:00Z');
const CALLS = [
  { guid: '8C259FEA-1111-4000-8000-000000000001', redactionOutput: 'redacted' as const },
  { guid: '8c259fea-2222-4000-8000-000000000002', redactionOutput: 'unredacted' as const },
  { guid: '8C259FEA-3333-4000-8000-000000000003', redactionOutput: 'redacted_and_unredacted' as const },
  { guid: 'TT9833237', redactionOutput: 'redacted' as const },
];

let world: FeedWorld;
const stored: Utterance[] = [];

/** Utterances of several calls spread over the day, plus the four millisecond-boundaries around it. */
async function seedDay(): Promise<void> {
  const times: string[] = [
    '2026-11-23T23:59:59.999Z',
    '2026-11-24T00:00:00.000Z',
    '2026-11-24T23:59:59.999Z',
    '2026-11-25T00:00:00.000Z',
    '2026-11-24T12:59:59.999Z',
    '2026-11-24T13:00:00.000Z',
  ];
  for (const hour of [0, 1, 7, 13, 13, 13, 22, 23]) {
    for (let i = 0; i < 6; i++)
      times.push(
        `${DAY}T${String(hour).padStart(2, '0')}:${String(i * 7).padStart(2, '0')}:${String(i * 3).padStart(2, '0')}.${String(i * 111).padStart(3, '0')}Z`,
      );
  }
  let index = 0;
  for (const time of times) {
    stored.push(await storeUtterance(world.messages, time, CALLS[index % CALLS.length], index));
    index += 1;
  }
}

const ofDay = (date: string) => stored.filter((u) => new Date(Date.parse(u.createdTimestamp)).toISOString().startsWith(date));
const byId = (rows: Record<string, string>[]) => [...rows].sort((a, b) => (a.message_id < b.message_id ? -1 : 1));

beforeAll(async () => {
  world = await feedWorld({ now: NOW });
  await seedDay();
});

describe('daily export on the emulators', () => {
  it('the scheduled event exports the previous UTC day', async () => {
    const handler = createDailyExportHandler(() => world.exporter);
    const result = await handler({ time: '2026-11-25T02:00:00Z', 'detail-type': 'Scheduled Event', source: 'aws.events' } as never);
    expect(result).toMatchObject({ date: DAY, rows: ofDay(DAY).length, deleted: 0 });
    expect(result.files).toBe(2 * 7);
  });

  it('lists the day through the endpoints and every file downloads with plain fetch, holding each utterance exactly once in its hour', async () => {
    expect((await ok(world, 'listfeeddates', { feed: 'utterances', version: '1', format: 'jsonl' })).dates).toEqual([DAY]);
    const intervals = await ok(world, 'listfeedintervals', { feed: 'utterances', version: '1', format: 'jsonl', date: DAY });
    expect(intervals.intervals).toEqual(['hr=00', 'hr=01', 'hr=07', 'hr=12', 'hr=13', 'hr=22', 'hr=23']);

    const expected = byId(ofDay(DAY).map(expectedRow));
    for (const format of ['jsonl', 'csv'] as const) {
      const files = await downloadDay(world, format, DAY);
      expect(files.map((f) => f.name)).toEqual(intervals.intervals.map((i: string) => `${i}/part-0000.${format}`));
      for (const file of files) {
        for (const row of file.rows) {
          expect(Object.keys(row)).toEqual([...FEED_COLUMNS]);
          expect(file.name.startsWith(`hr=${row.hr}/`)).toBe(true);
          expect(row.dt).toBe(DAY);
        }
      }
      const rows = files.flatMap((f) => f.rows);
      expect(new Set(rows.map((r) => r.message_id)).size).toBe(rows.length);
      expect(byId(rows)).toEqual(expected);
      expect(files[0].contentType).toMatch(format === 'csv' ? /^text\/csv/ : /^application\/x-ndjson/);
      if (format === 'csv') expect(files.every((f) => f.text.startsWith(`${FEED_COLUMNS.join(',')}\r\n`))).toBe(true);
    }
  });

  it('puts only the text the call allowed: masked unless it asked for unredacted', async () => {
    const rows = (await downloadDay(world, 'jsonl', DAY)).flatMap((f) => f.rows);
    const unredacted = new Set(stored.filter((u) => u.redactionOutput === 'unredacted').map((u) => u.messageId));
    for (const row of rows) {
      const source = stored.find((u) => u.messageId === row.message_id)!;
      expect(row.utterance).toBe(unredacted.has(row.message_id) ? source.rawText : source.maskedText);
    }
    expect(rows.some((r) => /\d{4}/.test(r.utterance) && !unredacted.has(r.message_id))).toBe(false);
  });

  it('places 23:59:59.999 and 00:00:00.000 in the right days and hours', async () => {
    await world.exporter.exportDay('2026-11-23');
    await world.exporter.exportDay('2026-11-25');
    const before = (await downloadDay(world, 'csv', '2026-11-23')).map((f) => [f.name, f.rows.map((r) => r.chat_message_event_ts)]);
    const day = (await downloadDay(world, 'csv', DAY)).flatMap((f) => f.rows.map((r) => [f.name, r.chat_message_event_ts]));
    const after = (await downloadDay(world, 'csv', '2026-11-25')).map((f) => [f.name, f.rows.map((r) => r.chat_message_event_ts)]);
    expect(before).toEqual([['hr=23/part-0000.csv', ['2026-11-23T23:59:59.999Z']]]);
    expect(after).toEqual([['hr=00/part-0000.csv', ['2026-11-25T00:00:00.000Z']]]);
    expect(day).toContainEqual(['hr=00/part-0000.csv', '2026-11-24T00:00:00.000Z']);
    expect(day).toContainEqual(['hr=23/part-0000.csv', '2026-11-24T23:59:59.999Z']);
    expect(day).toContainEqual(['hr=12/part-0000.csv', '2026-11-24T12:59:59.999Z']);
    expect(day).toContainEqual(['hr=13/part-0000.csv', '2026-11-24T13:00:00.000Z']);
    expect((await ok(world, 'listfeeddates', { feed: 'utterances', version: '1', format: 'csv' })).dates).toEqual([
      '2026-11-23',
      DAY,
      '2026-11-25',
    ]);
  });

  it('re-running a day replaces its files: smaller parts, then back, then with a late utterance', async () => {
    const small = feedRuntimeWith({ FEED_ROWS_PER_FILE: '4' });
    const split = await small.exportDay(DAY);
    expect(split.files.length).toBeGreaterThan(14);
    expect((await downloadDay(world, 'jsonl', DAY)).some((f) => f.name === 'hr=13/part-0004.jsonl')).toBe(true);

    const again = await world.exporter.exportDay(DAY);
    expect(again.files).toHaveLength(14);
    expect(again.deleted.length).toBe(split.files.length - 14);
    const first = await downloadDay(world, 'jsonl', DAY);
    expect(first.map((f) => f.name).every((n) => n.endsWith('part-0000.jsonl'))).toBe(true);
    expect(byId(first.flatMap((f) => f.rows))).toEqual(byId(ofDay(DAY).map(expectedRow)));

    const sameAgain = await world.exporter.exportDay(DAY);
    expect(sameAgain.deleted).toEqual([]);
    expect((await downloadDay(world, 'jsonl', DAY)).map((f) => f.text)).toEqual(first.map((f) => f.text));

    stored.push(await storeUtterance(world.messages, `${DAY}T18:30:00.000Z`, CALLS[0], 99));
    await world.exporter.exportDay(DAY);
    const withLate = await downloadDay(world, 'csv', DAY);
    expect(withLate.map((f) => f.name)).toContain('hr=18/part-0000.csv');
    expect(byId(withLate.flatMap((f) => f.rows))).toEqual(byId(ofDay(DAY).map(expectedRow)));
  });

  it('an empty day writes no files, is not listed, and a re-run clears what was there', async () => {
    const empty = await world.exporter.exportDay('2026-11-20');
    expect(empty).toMatchObject({ rows: 0, files: [], deleted: [] });
    expect((await ok(world, 'listfeeddates', { feed: 'utterances', version: '1', format: 'jsonl' })).dates).not.toContain('2026-11-20');
    expect(
      (await feedCall(world, 'listfeedintervals', { feed: 'utterances', version: '1', format: 'jsonl', date: '2026-11-20' })).status,
    ).toBe(404);

    // Files of a day whose utterances are gone (an earlier run): the next run of that day removes them.
    await world.exporter.exportDay('2026-11-23');
    const leftover = 'utterances/version=1/format=jsonl/dt=2026-11-23/hr=05/part-0000.jsonl';
    const sink = world.exporter.bucket.open(leftover, 'application/x-ndjson');
    await sink.write('{"stale":true}\n');
    await sink.close();
    const rerun = await world.exporter.exportDay('2026-11-23');
    expect(rerun.deleted).toEqual([leftover]);
    expect(await world.exporter.bucket.exists(leftover)).toBe(false);
  });

  it('the extra columns follow the nine when FEED_EXTRA_COLUMNS is on', async () => {
    const extra = feedRuntimeWith({ FEED_EXTRA_COLUMNS: 'true' });
    await extra.exportDay(DAY);
    const rows = (await downloadDay(world, 'csv', DAY)).flatMap((f) => f.rows);
    expect(Object.keys(rows[0])).toEqual([...FEED_COLUMNS, 'sender_role', 'sender_external_id', 'stream_id', 'start_ms', 'end_ms']);
    const source = stored.find((u) => u.messageId === rows[0].message_id)!;
    expect(rows[0]).toMatchObject({
      sender_role: source.role,
      sender_external_id: source.externalId,
      stream_id: source.streamId,
      start_ms: String(source.startMs),
    });
    await world.exporter.exportDay(DAY);
  });

  it('hides dates older than the retention period, and the local lifecycle sweep deletes expired files', async () => {
    const old = '2026-10-01';
    stored.push(await storeUtterance(world.messages, `${old}T10:00:00.000Z`, CALLS[0], 1));
    const exported = await world.exporter.exportDay(old);
    expect(exported.files).toHaveLength(2);
    expect((await ok(world, 'listfeeddates', { feed: 'utterances', version: '1', format: 'jsonl' })).dates).not.toContain(old);
    expect((await feedCall(world, 'listfeedintervals', { feed: 'utterances', version: '1', format: 'jsonl', date: old })).status).toBe(404);
    expect(
      (
        await feedCall(world, 'getfeedfile', {
          feed: 'utterances',
          version: '1',
          format: 'jsonl',
          date: old,
          fileName: 'hr=10/part-0000.jsonl',
        })
      ).status,
    ).toBe(404);

    expect(await world.exporter.purgeExpired()).toEqual([]);
    const purged = await world.exporter.purgeExpired(Date.now() + 33 * 86_400_000);
    expect(purged).toContain(exported.files[0].key);
    expect(await world.exporter.bucket.exists(exported.files[0].key)).toBe(false);
    expect((await ok(world, 'listfeeddates', { feed: 'utterances', version: '1', format: 'jsonl' })).dates).toEqual([]);
  });
});

describe('tenant prefixes (FEED_TENANT_PREFIX)', () => {
  it('keeps each tenant to its own files', async () => {
    const tenants = await feedWorld({ env: { FEED_TENANT_PREFIX: 'true' }, now: NOW });
    const date = '2026-11-10';
    const acme = await storeUtterance(tenants.messages, `${date}T09:00:00.000Z`, { guid: 'acme-call', tenant: 'acme' }, 0);
    const strict = await storeUtterance(tenants.messages, `${date}T09:00:01.000Z`, { guid: 'strict-call', tenant: 'strict' }, 1);
    const summary = await tenants.exporter.exportDay(date);
    expect(summary.files.map((f) => f.key.split('/')[0])).toEqual(['acme', 'acme', 'strict', 'strict']);

    expect((await downloadDay(tenants, 'jsonl', date, 'acme')).flatMap((f) => f.rows)).toEqual([expectedRow(acme)]);
    expect((await downloadDay(tenants, 'jsonl', date, 'strict')).flatMap((f) => f.rows)).toEqual([expectedRow(strict)]);
    expect((await ok(tenants, 'listfeeddates', { feed: 'utterances', version: '1', format: 'jsonl' }, 'open')).dates).toEqual([]);
    const foreign = await feedCall(
      tenants,
      'getfeedfile',
      { feed: 'utterances', version: '1', format: 'jsonl', date, fileName: 'hr=09/part-0000.jsonl' },
      { as: 'open' },
    );
    expect(foreign.status).toBe(404);
  });
});

function feedRuntimeWith(env: Record<string, string>) {
  return createExportRuntime({ ...world.env, ...env });
}
