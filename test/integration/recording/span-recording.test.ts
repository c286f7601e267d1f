import { GetObjectCommand, HeadObjectCommand, ListMultipartUploadsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import wavefile from 'wavefile';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBucket } from '#core/daily-export/export-bucket.ts';
import { createS3Client } from '#core/daily-export/s3-client.ts';
import { logger } from '#core/logger.ts';
import { RECORDING_METADATA } from '#core/recordings/layout.ts';
import { createRecordingsBucket } from '#core/recordings/recordings-bucket.ts';
import { recorderFromConfig, s3CallRecorder } from '#gateway/recording/call-recorder.ts';
import { loadGatewayConfig } from '#gateway/config.ts';
import { MIN_PART_BYTES } from '#gateway/recording/wav-upload.ts';
import { useEmulators } from '#test/support/emulators.ts';

/**
 * A span's recording streamed into the S3 emulator (which enforces S3's 5 MiB minimum part size):
 * written while audio arrives, gaps on the timeline filled with silence, read back as a WAV file whose
 * every sample is what was written.
 */
const { WaveFile } = wavefile;
useEmulators({ s3: true, prefix: 'recording' });

const BUCKET = 'recordings-test';
let client: ReturnType<typeof createS3Client>;
beforeAll(async () => {
  client = createS3Client();
  await ensureBucket(client, BUCKET);
});

const ids = { customer: '11111111-1111-4111-8111-111111111111', agent: '22222222-2222-4222-8222-222222222222' };

/** Deterministic, distinct per channel and position, so any misplaced sample shows. */
const sampleAt = (channel: 0 | 1, position: number) => (((position * 7919 + channel * 104_729) % 60_000) - 30_000) | 0;

function frame(channel: 0 | 1, start: number, n: number): Int16Array {
  return Int16Array.from({ length: n }, (_, i) => sampleAt(channel, start + i));
}

async function download(key: string): Promise<Buffer> {
  const object = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return Buffer.from(await object.Body!.transformToByteArray());
}

/** Interleaved samples of a WAV file, after checking its format. */
function samplesOf(bytes: Buffer): Int16Array {
  const wav = new WaveFile(bytes);
  const fmt = wav.fmt as { audioFormat: number; numChannels: number; sampleRate: number; bitsPerSample: number };
  expect(fmt).toMatchObject({ audioFormat: 1, numChannels: 2, sampleRate: 8000, bitsPerSample: 16 });
  expect(bytes.readUInt32LE(4)).toBe(bytes.length - 8);
  expect(bytes.readUInt32LE(40)).toBe(bytes.length - 44);
  return new Int16Array(bytes.buffer.slice(bytes.byteOffset + 44, bytes.byteOffset + bytes.length));
}

describe('span recording in S3', () => {
  it('stores a short span as one WAV with the span metadata, agent silent when absent', async () => {
    const recorder = s3CallRecorder({ client, bucket: BUCKET });
    const recording = recorder.open({ tenant: 'acme', conversationId: 'conv-short', streamIds: ids, startSample: 800, logger });
    for (let at = 800; at < 800 + 8000; at += 160) recording.write({ customer: frame(0, at, 160) }, at, 160);
    expect(await recording.close()).toBe(true);

    const [stored] = await createRecordingsBucket(client, BUCKET).list('acme', 'conv-short', 10);
    expect(stored).toMatchObject({ bytes: 44 + 8000 * 4, offsetSamples: 800, customerStreamId: ids.customer, agentStreamId: ids.agent });
    const samples = samplesOf(await download(stored.key));
    expect(samples.length).toBe(16_000);
    for (let i = 0; i < 8000; i++) {
      expect(samples[2 * i]).toBe(sampleAt(0, 800 + i));
      expect(samples[2 * i + 1]).toBe(0);
    }
  });

  it('streams a span longer than one part as a multipart upload, the header written last, gaps as silence', async () => {
    const recorder = s3CallRecorder({ client, bucket: BUCKET });
    const recording = recorder.open({ tenant: 'acme', conversationId: 'conv-long', streamIds: ids, startSample: 0, logger });
    // 200 s of audio (6.4 MB: two parts) with a 3 s hole at 100 s that the timeline counts as discarded.
    const FRAME = 1600;
    const gap = { from: 800_000, samples: 24_000 };
    const total = 1_600_000 + gap.samples;
    for (let at = 0; at < total; at += FRAME) {
      if (at >= gap.from && at < gap.from + gap.samples) continue;
      recording.write({ customer: frame(0, at, FRAME), agent: frame(1, at, FRAME) }, at, FRAME);
      // Let the pump run now and then, as the event loop does between WebSocket frames.
      if (at % (FRAME * 100) === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    expect(await recording.close()).toBe(true);

    const [stored] = await createRecordingsBucket(client, BUCKET).list('acme', 'conv-long', 10);
    expect(stored.bytes).toBe(44 + total * 4);
    expect(stored.bytes).toBeGreaterThan(MIN_PART_BYTES);
    const samples = samplesOf(await download(stored.key));
    expect(samples.length).toBe(total * 2);
    let mismatches = 0;
    for (let i = 0; i < total; i++) {
      const silent = i >= gap.from && i < gap.from + gap.samples;
      if (samples[2 * i] !== (silent ? 0 : sampleAt(0, i)) || samples[2 * i + 1] !== (silent ? 0 : sampleAt(1, i))) mismatches++;
    }
    expect(mismatches).toBe(0);
    const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: stored.key }));
    expect(head.Metadata?.[RECORDING_METADATA.offsetSamples]).toBe('0');
    expect((await client.send(new ListMultipartUploadsCommand({ Bucket: BUCKET }))).Uploads ?? []).toEqual([]);
  }, 60_000);

  it('drops a recording it cannot store without throwing, and leaves nothing behind', async () => {
    const recorder = s3CallRecorder({ client, bucket: 'no-such-recordings-bucket' });
    const recording = recorder.open({ tenant: 'acme', conversationId: 'conv-lost', streamIds: ids, startSample: 0, logger });
    recording.write({ customer: frame(0, 0, 8000), agent: frame(1, 0, 8000) }, 0, 8000);
    expect(await recording.close()).toBe(false);
    const listed = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'recordings/v1/acme/conv-lost/' }));
    expect(listed.KeyCount ?? 0).toBe(0);
  });

  it('keeps tenants and conversations apart, whatever characters their ids hold', async () => {
    const recorder = s3CallRecorder({ client, bucket: BUCKET });
    const recording = recorder.open({ tenant: 'a/b', conversationId: '../x', streamIds: ids, startSample: 0, logger });
    recording.write({ customer: frame(0, 0, 80) }, 0, 80);
    expect(await recording.close()).toBe(true);
    const bucket = createRecordingsBucket(client, BUCKET);
    expect(await bucket.list('a/b', '../x', 10)).toHaveLength(1);
    expect(await bucket.list('a', 'b/../x', 10)).toHaveLength(0);
    expect(await bucket.list('a/b', '..', 10)).toHaveLength(0);
  });
});

describe('the deployment-wide switch', () => {
  it('records only with CALL_RECORDING allowed and a bucket; forbidden wins over a configured bucket', () => {
    expect(recorderFromConfig({ CALL_RECORDING: 'forbidden', RECORDINGS_BUCKET: BUCKET }, logger)).toBeUndefined();
    expect(recorderFromConfig({ CALL_RECORDING: 'allowed', RECORDINGS_BUCKET: undefined }, logger)).toBeUndefined();
    expect(recorderFromConfig({ CALL_RECORDING: 'allowed', RECORDINGS_BUCKET: BUCKET }, logger)).toBeDefined();
    expect(loadGatewayConfig({}).CALL_RECORDING).toBe('allowed');
    expect(() => loadGatewayConfig({ CALL_RECORDING: 'maybe' })).toThrow(/CALL_RECORDING/);
  });
});
