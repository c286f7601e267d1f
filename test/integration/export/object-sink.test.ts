import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { createExportBucket, ensureBucket } from '#core/daily-export/export-bucket.ts';
import { createS3Client } from '#core/daily-export/s3-client.ts';
import { useEmulators } from '#test/support/emulators.ts';

/** The streaming S3 writer against the S3 emulator: one PutObject when small, multipart when large. */
useEmulators({ s3: true, prefix: 'sink' });

describe('streaming object writer', () => {
  it('writes a file larger than several parts with multipart upload and reads back byte for byte', async () => {
    const s3 = createS3Client();
    await ensureBucket(s3, 'sink-test');
    const bucket = createExportBucket(s3, 'sink-test');
    const line = `${'ünïcødé ✓ 😀 '.repeat(8)}\n`;
    const chunk = line.repeat(500);
    const sink = bucket.open('big/object.jsonl', 'application/x-ndjson');
    let expectedBytes = 0;
    for (let i = 0; i < 300; i++) {
      await sink.write(chunk);
      expectedBytes += Buffer.byteLength(chunk);
    }
    expect(expectedBytes).toBeGreaterThan(3 * 5 * 1024 * 1024);
    expect(await sink.close()).toEqual({ bytes: expectedBytes });

    const head = await s3.send(new HeadObjectCommand({ Bucket: 'sink-test', Key: 'big/object.jsonl' }));
    expect(head.ContentLength).toBe(expectedBytes);
    expect(head.ETag).toMatch(/-\d+"?$/); // a multipart ETag names its part count
    const body = await (
      await s3.send(new GetObjectCommand({ Bucket: 'sink-test', Key: 'big/object.jsonl' }))
    ).Body!.transformToString('utf8');
    expect(body.length).toBe(chunk.length * 300);
    expect(body === chunk.repeat(300)).toBe(true);
  }, 60_000);

  it('a small file is one object, and an aborted one leaves nothing', async () => {
    const s3 = createS3Client();
    await ensureBucket(s3, 'sink-test');
    const bucket = createExportBucket(s3, 'sink-test');
    const small = bucket.open('small.csv', 'text/csv');
    await small.write('a,b\r\n');
    await small.close();
    expect(await bucket.exists('small.csv')).toBe(true);

    const dropped = bucket.open('dropped.csv', 'text/csv');
    await dropped.write('a,b\r\n');
    await dropped.abort();
    expect(await bucket.exists('dropped.csv')).toBe(false);
  });

  it('a failing upload rejects the writer instead of hanging it', async () => {
    const s3 = createS3Client();
    const bucket = createExportBucket(s3, 'no-such-bucket-for-sink');
    const sink = bucket.open('x.jsonl', 'application/x-ndjson');
    const chunk = 'x'.repeat(1024 * 1024);
    const writes = (async () => {
      for (let i = 0; i < 12; i++) await sink.write(chunk);
      await sink.close();
    })();
    await expect(writes).rejects.toThrow();
  }, 60_000);
});
