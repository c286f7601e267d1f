import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TranscribeStreamingClient } from '@aws-sdk/client-transcribe-streaming';
import type { RecognitionResult } from '#gateway/recognition/recognizer.ts';
import { createTranscribeRecognizer } from '#gateway/recognition/transcribe/transcribe-recognizer.ts';
import { TranscribeStandIn } from '#local/transcribe-standin/server.ts';

/** The gateway's Transcribe recognizer, with its default settings, and the real SDK against the stand-in. */

let standIn: TranscribeStandIn;
let client: TranscribeStreamingClient;

beforeAll(async () => {
  standIn = await TranscribeStandIn.start({ mode: 'echo', echoFinalEveryMs: 1_000 });
  client = new TranscribeStreamingClient({
    region: 'us-east-1',
    endpoint: standIn.url,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
});

afterAll(async () => {
  client?.destroy();
  await standIn?.stop();
});

describe('the Transcribe recognizer over the wire', () => {
  it('waits for finals that come slowly after the end of audio instead of dropping the stream', async () => {
    // Each response held 3 s: the final of the 1 s of audio arrives about 6 s after the audio ended,
    // later than the gateway's flush budget — it must still be delivered.
    standIn.injectFault({ kind: 'slow', delayMs: 3_000 });
    const recognizer = createTranscribeRecognizer({ client });
    const results: RecognitionResult[] = [];
    const errors: number[] = [];
    const session = recognizer.open(
      { conversationId: 'c', language: 'en-US', sampleRate: 8000, roles: ['customer', 'agent'], wordTimings: true },
      { onResult: (r) => results.push(r), onError: (_role, e) => errors.push(e.statusCode) },
    );
    for (let chunk = 0; chunk < 10; chunk++) {
      for (const role of ['customer', 'agent'] as const) session.write(role, new Int16Array(800), chunk * 800);
    }
    const ended = performance.now();
    await session.end();
    await recognizer.close();
    expect(performance.now() - ended).toBeGreaterThan(5_000);
    expect(errors).toEqual([]);
    expect(results.map((r) => [r.role, r.startMs, r.endMs, r.text])).toEqual([
      ['customer', 0, 1000, 'thank you for calling'],
      ['agent', 0, 1000, 'thank you for calling'],
    ]);
    expect(results[0].words?.map((w) => w.content)).toEqual(['thank', 'you', 'for', 'calling']);
    expect(standIn.streams.at(-1)?.outcome).toBe('completed');
  }, 20_000);

  it('reports audio its full backlog dropped during a restart as 5002 with the lost duration, never silently', async () => {
    // The first stream is refused (503): the recognizer backs off ~1 s before the next one, while the
    // call keeps talking. Its backlog holds 300 ms; everything older is dropped and must be reported.
    standIn.injectFault({ kind: 'exception', exception: 'ServiceUnavailableException' });
    const recognizer = createTranscribeRecognizer({
      client,
      chunkMs: 100,
      maxQueuedMs: 300,
      retryBaseDelayMs: 2_000,
      retryMaxDelayMs: 2_000,
    });
    const errors: { role: string; statusCode: number; lostAudioMs: number | undefined }[] = [];
    const session = recognizer.open(
      { conversationId: 'c', language: 'en-US', sampleRate: 8000, roles: ['customer', 'agent'], wordTimings: true },
      { onResult: () => {}, onError: (role, e) => errors.push({ role, statusCode: e.statusCode, lostAudioMs: e.lostAudioMs }) },
    );
    const firstStream = standIn.streams.length;
    const chunks = 20;
    session.write('customer', new Int16Array(800), 0);
    session.write('agent', new Int16Array(800), 0);
    await expect.poll(() => standIn.streams[firstStream]?.outcome).toBe('exception');
    for (let chunk = 1; chunk < chunks; chunk++) {
      for (const role of ['customer', 'agent'] as const) session.write(role, new Int16Array(800), chunk * 800);
    }
    await session.end();
    await recognizer.close();

    const retried = standIn.streams.slice(firstStream + 1);
    const sentMs = retried.reduce((sum, stream) => sum + stream.audioBytes, 0) / (2 * 2 * 8);
    expect(sentMs).toBeGreaterThan(0);
    expect(sentMs).toBeLessThanOrEqual(300);
    // Every millisecond written is either sent or reported lost, for each participant.
    expect(errors).toEqual([
      { role: 'customer', statusCode: 5002, lostAudioMs: chunks * 100 - sentMs },
      { role: 'agent', statusCode: 5002, lostAudioMs: chunks * 100 - sentMs },
    ]);
  }, 20_000);
});
