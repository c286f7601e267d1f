import http2 from 'node:http2';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StartStreamTranscriptionCommand, TranscribeStreamingClient } from '@aws-sdk/client-transcribe-streaming';
import type { StartStreamTranscriptionCommandInput, TranscriptResultStream } from '@aws-sdk/client-transcribe-streaming';
import { TranscribeStandIn } from '#local/transcribe-standin/server.ts';
import { codec } from '#local/transcribe-standin/wire.ts';

/**
 * The stand-in as the real AWS SDK sees it (echo mode: scripted results, no engine), and as a client
 * that breaks the protocol sees it.
 */

let standIn: TranscribeStandIn;
let client: TranscribeStreamingClient;

beforeAll(async () => {
  standIn = await TranscribeStandIn.start({ mode: 'echo', idleTimeoutMs: 600, echoFinalEveryMs: 1_000 });
  client = new TranscribeStreamingClient({
    region: 'us-east-1',
    endpoint: standIn.url,
    credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
});

afterAll(async () => {
  client?.destroy();
  await standIn?.stop();
});

const STEREO: Omit<StartStreamTranscriptionCommandInput, 'AudioStream'> = {
  LanguageCode: 'en-US',
  MediaEncoding: 'pcm',
  MediaSampleRateHertz: 8000,
  EnableChannelIdentification: true,
  NumberOfChannels: 2,
  ContentIdentificationType: 'PII',
};

/** `chunks` chunks of 100 ms stereo audio, `gapMs` apart, then (unless `hold`) the end of audio. */
async function* audio(chunks: number, gapMs = 0, hold?: Promise<void>) {
  for (let i = 0; i < chunks; i++) {
    if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
    yield { AudioEvent: { AudioChunk: new Uint8Array(3_200).fill(i) } };
  }
  if (hold) await hold;
}

async function collect(events: AsyncIterable<TranscriptResultStream>) {
  const results = [];
  for await (const event of events) results.push(...(event.TranscriptEvent?.Transcript?.Results ?? []));
  return results;
}

describe('the Transcribe streaming stand-in through the AWS SDK', () => {
  it('accepts a signed stereo stream, echoes its parameters and answers partial and final results per channel', async () => {
    const sessionId = randomUUID();
    const response = await client.send(new StartStreamTranscriptionCommand({ ...STEREO, SessionId: sessionId, AudioStream: audio(25) }));
    expect(response.SessionId).toBe(sessionId);
    expect(response.LanguageCode).toBe('en-US');
    expect(response.MediaSampleRateHertz).toBe(8000);
    expect(response.NumberOfChannels).toBe(2);
    const results = await collect(response.TranscriptResultStream!);
    const finals = results.filter((r) => !r.IsPartial);
    expect(finals.map((r) => r.ChannelId)).toEqual(['ch_0', 'ch_1', 'ch_0', 'ch_1', 'ch_0', 'ch_1']);
    expect(results.some((r) => r.IsPartial)).toBe(true);
    for (const r of finals) {
      expect(r.EndTime).toBeGreaterThan(r.StartTime!);
      const items = r.Alternatives![0].Items!;
      expect(items.map((i) => i.Content).join(' ')).toBe(r.Alternatives![0].Transcript);
      expect(items[0].StartTime).toBe(r.StartTime);
    }
    const record = standIn.streams.find((s) => s.request?.sessionId === sessionId)!;
    expect(record).toMatchObject({ audioEvents: 25, audioBytes: 80_000, endFrameReceived: true, outcome: 'completed' });
    expect(record.request).toMatchObject({ channels: 2, contentIdentification: 'PII', accessKeyId: 'AKIDLOCAL' });
    expect(record.headers.authorization).not.toMatch(/Signature=[0-9a-f]/);
  });

  it('labels no channel on a single-channel stream', async () => {
    const response = await client.send(
      new StartStreamTranscriptionCommand({
        LanguageCode: 'es-US',
        MediaEncoding: 'pcm',
        MediaSampleRateHertz: 8000,
        AudioStream: audio(20),
      }),
    );
    const results = await collect(response.TranscriptResultStream!);
    expect(results.length).toBeGreaterThan(0);
    for (const r of results) expect(r.ChannelId).toBeUndefined();
  });

  it.each([
    ['LimitExceededException', 'You have reached your limit of concurrent streams. Try again later.'],
    ['BadRequestException', 'The request was not valid.'],
    ['ServiceUnavailableException', 'ServiceUnavailableException raised by the stand-in'],
  ] as const)('raises %s at start as the SDK error of that name', async (exception, message) => {
    standIn.injectFault({ kind: 'exception', exception });
    const error = await client.send(new StartStreamTranscriptionCommand({ ...STEREO, AudioStream: audio(5) })).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.name).toBe(exception);
    expect(error?.message).toBe(message);
  });

  it('raises an exception mid-stream after the audio it was told to wait for', async () => {
    standIn.injectFault({ kind: 'exception', exception: 'LimitExceededException', message: 'quota', afterAudioMs: 1_000 });
    const response = await client.send(new StartStreamTranscriptionCommand({ ...STEREO, AudioStream: audio(30, 5) }));
    const error = await collect(response.TranscriptResultStream!).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.name).toBe('LimitExceededException');
    expect(error?.message).toBe('quota');
    expect(standIn.streams.at(-1)).toMatchObject({ outcome: 'exception', audioEvents: 10 });
  });

  it('resets the HTTP/2 stream after the audio it was told to wait for', async () => {
    standIn.injectFault({ kind: 'reset', afterAudioMs: 500 });
    const response = await client.send(new StartStreamTranscriptionCommand({ ...STEREO, AudioStream: audio(30, 5) }));
    await collect(response.TranscriptResultStream!).catch(() => undefined);
    expect(standIn.streams.at(-1)).toMatchObject({ outcome: 'reset', audioEvents: 5 });
  });

  it('ends a stream that received no audio for its idle timeout with a BadRequestException', async () => {
    let release!: () => void;
    const hold = new Promise<void>((resolve) => (release = resolve));
    // The SDK reads the first event before `send` resolves: an exception as first event rejects `send`.
    const error = await client
      .send(new StartStreamTranscriptionCommand({ ...STEREO, AudioStream: audio(3, 0, hold) }))
      .then((response) => collect(response.TranscriptResultStream!))
      .then(
        () => undefined,
        (e: Error) => e,
      );
    release();
    expect(error?.name).toBe('BadRequestException');
    expect(error?.message).toMatch(/no new audio was received/);
    expect(standIn.streams.at(-1)?.outcome).toBe('idle-timeout');
  });

  it('holds every response back in slow mode, in order', async () => {
    standIn.injectFault({ kind: 'slow', delayMs: 150 });
    const started = performance.now();
    const response = await client.send(new StartStreamTranscriptionCommand({ ...STEREO, AudioStream: audio(10) }));
    const arrivals: number[] = [];
    for await (const event of response.TranscriptResultStream!) if (event.TranscriptEvent) arrivals.push(performance.now() - started);
    // 1 s of audio: one partial event and one final event, each held 150 ms after the one before.
    expect(arrivals).toHaveLength(2);
    expect(arrivals[0]).toBeGreaterThanOrEqual(140);
    expect(arrivals[1] - arrivals[0]).toBeGreaterThanOrEqual(140);
  });
});

describe('the Transcribe streaming stand-in refuses what the service refuses', () => {
  const validHeaders = () => ({
    ':method': 'POST',
    ':path': '/stream-transcription',
    'content-type': 'application/vnd.amazon.eventstream',
    'x-amz-date': '20261206T120000Z',
    'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-EVENTS',
    authorization: `AWS4-HMAC-SHA256 Credential=AKID/20261206/us-east-1/transcribe/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=${'a'.repeat(64)}`,
    'x-amzn-transcribe-language-code': 'en-US',
    'x-amzn-transcribe-sample-rate': '8000',
    'x-amzn-transcribe-media-encoding': 'pcm',
  });

  async function request(
    headers: Record<string, string | undefined>,
    body?: Uint8Array,
  ): Promise<{ status: number; errorType?: string; body: Buffer }> {
    const session = http2.connect(standIn.url);
    try {
      const stream = session.request(Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== undefined)));
      stream.end(body);
      const response = await new Promise<http2.IncomingHttpHeaders>((resolve) => stream.once('response', resolve));
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      return {
        status: Number(response[':status']),
        errorType: response['x-amzn-errortype'] as string | undefined,
        body: Buffer.concat(chunks),
      };
    } finally {
      session.close();
    }
  }

  it.each([
    ['no authorization', { authorization: undefined }, 403],
    [
      'a malformed signature',
      {
        authorization:
          'AWS4-HMAC-SHA256 Credential=AKID/20261206/us-east-1/transcribe/aws4_request, SignedHeaders=x-amz-date, Signature=zz',
      },
      403,
    ],
    [
      'a credential scope for another service',
      {
        authorization: `AWS4-HMAC-SHA256 Credential=AKID/20261206/us-east-1/s3/aws4_request, SignedHeaders=x-amz-content-sha256;x-amz-date, Signature=${'a'.repeat(64)}`,
      },
      403,
    ],
    ['a date that is not the scope date', { 'x-amz-date': '20261207T000000Z' }, 403],
    ['an unsigned payload', { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' }, 403],
    ['no language', { 'x-amzn-transcribe-language-code': undefined }, 400],
    ['an unknown language', { 'x-amzn-transcribe-language-code': 'xx-XX' }, 400],
    ['a sample rate out of range', { 'x-amzn-transcribe-sample-rate': '4000' }, 400],
    ['µ-law audio', { 'x-amzn-transcribe-media-encoding': 'mulaw' }, 400],
    ['three channels', { 'x-amzn-transcribe-enable-channel-identification': 'true', 'x-amzn-transcribe-number-of-channels': '3' }, 400],
    [
      'identification and redaction together',
      { 'x-amzn-transcribe-content-identification-type': 'PII', 'x-amzn-transcribe-content-redaction-type': 'PII' },
      400,
    ],
    ['another path', { ':path': '/medical-stream-transcription' }, 404],
  ])('answers %s with an error status', async (_name, change, status) => {
    const headers = { ...validHeaders(), ...change } as Record<string, string | undefined>;
    const response = await request(headers);
    expect(response.status).toBe(status);
    expect(JSON.parse(response.body.toString()).Message).toEqual(expect.any(String));
  });

  it('ends a stream whose audio is not wrapped in a signed envelope with a BadRequestException event', async () => {
    const bare = codec.encode({
      headers: {
        ':message-type': { type: 'string', value: 'event' },
        ':event-type': { type: 'string', value: 'AudioEvent' },
        ':content-type': { type: 'string', value: 'application/octet-stream' },
      },
      body: new Uint8Array(320),
    });
    const response = await request(validHeaders(), bare);
    expect(response.status).toBe(200);
    const message = codec.decode(response.body);
    expect(message.headers[':message-type']?.value).toBe('exception');
    expect(message.headers[':exception-type']?.value).toBe('BadRequestException');
    expect(standIn.streams.at(-1)?.outcome).toBe('protocol-error');
  });

  it('refuses a message length no event-stream message has', async () => {
    const response = await request(validHeaders(), Buffer.from([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]));
    const message = codec.decode(response.body);
    expect(message.headers[':exception-type']?.value).toBe('BadRequestException');
  });
});
