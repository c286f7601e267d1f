import { describe, expect, it } from 'vitest';
import { feedEncoder } from '#core/daily-export/feed-encoder.ts';
import { toFeedRow } from '#core/daily-export/feed-row.ts';
import type { ObjectSink, OpenSink } from '#core/daily-export/object-sink.ts';
import { PartWriter } from '#core/daily-export/part-writer.ts';
import { memoryBucket } from './support/memory-bucket.ts';
import { storedMessage } from './support/messages.ts';
import { parseCsvObjects } from './support/rfc4180.ts';

const rowOptions = { extraColumns: false, defaultTenant: 'default' };
const rows = (n: number) =>
  Array.from({ length: n }, (_, i) => toFeedRow(storedMessage(`2026-11-24T05:00:${String(i % 60).padStart(2, '0')}.000Z`), rowOptions)!);

async function writeAll(writer: PartWriter, list: ReturnType<typeof rows>) {
  for (const row of list) await writer.add(row);
  return writer.close();
}

describe('part writer', () => {
  it('starts a new part every rowsPerFile rows, each CSV part with its own header', async () => {
    const bucket = memoryBucket();
    const writer = new PartWriter({
      root: '',
      format: 'csv',
      date: '2026-11-24',
      hour: 5,
      rowsPerFile: 4,
      encoder: feedEncoder('csv', false),
      open: bucket.open,
    });
    const input = rows(10);
    const files = await writeAll(writer, input);
    expect(files.map((f) => [f.key.split('/').slice(-2).join('/'), f.rows])).toEqual([
      ['hr=05/part-0000.csv', 4],
      ['hr=05/part-0001.csv', 4],
      ['hr=05/part-0002.csv', 2],
    ]);
    const parsed = files.map((f) => parseCsvObjects(bucket.text(f.key)));
    expect(parsed.every((p) => p.header[0] === 'conversation_id')).toBe(true);
    expect(parsed.flatMap((p) => p.rows.map((r) => r.message_id))).toEqual(input.map((r) => r.message_id));
    for (const f of files) expect(f.bytes).toBe(Buffer.byteLength(bucket.text(f.key)));
    expect(bucket.objects.get(files[0].key)!.contentType).toMatch(/^text\/csv/);
  });

  it('writes nothing when no row arrives', async () => {
    const bucket = memoryBucket();
    const writer = new PartWriter({
      root: '',
      format: 'jsonl',
      date: '2026-11-24',
      hour: 5,
      rowsPerFile: 4,
      encoder: feedEncoder('jsonl', false),
      open: bucket.open,
    });
    expect(await writer.close()).toEqual([]);
    expect(bucket.objects.size).toBe(0);
  });

  it('an exact multiple of rowsPerFile leaves no empty trailing part', async () => {
    const bucket = memoryBucket();
    const writer = new PartWriter({
      root: '',
      format: 'jsonl',
      date: '2026-11-24',
      hour: 5,
      rowsPerFile: 3,
      encoder: feedEncoder('jsonl', false),
      open: bucket.open,
    });
    const files = await writeAll(writer, rows(6));
    expect(files.map((f) => f.rows)).toEqual([3, 3]);
    expect(bucket.objects.size).toBe(2);
  });

  it('flushes large parts in chunks rather than one string per file', async () => {
    const writes: number[] = [];
    const open: OpenSink = () => {
      const sink: ObjectSink = {
        write(chunk) {
          writes.push(chunk.length);
          return undefined;
        },
        close: async () => ({ bytes: 0 }),
        abort: async () => undefined,
      };
      return sink;
    };
    const writer = new PartWriter({
      root: '',
      format: 'jsonl',
      date: '2026-11-24',
      hour: 5,
      rowsPerFile: 100_000,
      encoder: feedEncoder('jsonl', false),
      open,
    });
    await writeAll(writer, rows(3_000));
    expect(writes.length).toBeGreaterThan(3);
    expect(Math.max(...writes)).toBeLessThan(80 * 1024);
  });

  it('reports a failed part upload from close, and abort leaves nothing open', async () => {
    const bucket = memoryBucket();
    bucket.failOn = /part-0000/;
    const writer = new PartWriter({
      root: '',
      format: 'jsonl',
      date: '2026-11-24',
      hour: 5,
      rowsPerFile: 2,
      encoder: feedEncoder('jsonl', false),
      open: bucket.open,
    });
    await expect(writeAll(writer, rows(5))).rejects.toThrow(/part-0000/);
    await writer.abort();
    expect(bucket.open_.size).toBe(0);
  });
});
