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
});
