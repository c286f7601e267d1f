import { afterEach, describe, expect, it } from 'vitest';
import {
  BadRequestException,
  InternalFailureException,
  LimitExceededException,
  ServiceUnavailableException,
} from '@aws-sdk/client-transcribe-streaming';
import type { Role } from '#core/domain/participant.ts';
import { RecognitionError } from '#gateway/recognition/recognizer.ts';
import type { RecognitionOptions } from '#gateway/recognition/recognizer.ts';
import { createTranscribeRecognizer } from '#gateway/recognition/transcribe/transcribe-recognizer.ts';
import type { TranscribeRecognizerConfig } from '#gateway/recognition/transcribe/transcribe-recognizer.ts';
import {
  collector,
  event,
  fakeTranscribe,
  final,
  finalsAfterEnd,
  partial,
  sampleValue,
  samplesOf,
  tick,
  writeAudio,
} from './transcribe-fake.ts';
import type { StreamScript } from './transcribe-fake.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const BOTH: Role[] = ['customer', 'agent'];

let fake: ReturnType<typeof fakeTranscribe> | undefined;
afterEach(() => {
  fake?.mock.restore();
  fake = undefined;
});

function setup(scripts: StreamScript[], config: TranscribeRecognizerConfig = {}, options: Partial<RecognitionOptions> = {}) {
  fake = fakeTranscribe(scripts);
  const recognizer = createTranscribeRecognizer({
    client: fake.client,
    retryBaseDelayMs: 1,
    retryMaxDelayMs: 5,
    endTimeoutMs: 2_000,
    // Small chunks make the cuts below easy to count; the default has its own test.
    chunkMs: 100,
    ...config,
  });
  const sink = collector();
  const session = recognizer.open(
    { conversationId: 'conv-1', language: 'en-US', sampleRate: 8000, roles: BOTH, wordTimings: true, ...options },
    sink.listener,
  );
  return { recognizer, session, sink, streams: fake.streams, mock: fake.mock };
}

const failWith =
  (error: Error): StreamScript =>
  async () => {
    await tick(2);
    throw error;
  };

const serviceUnavailable = () => new ServiceUnavailableException({ message: 'Service unavailable', $metadata: { httpStatusCode: 503 } });

describe('TranscribeRecognizer: the stream it opens', () => {
  it('is one stereo stream with channel identification, PII identification, pcm at 8 kHz', async () => {
    const { session, streams } = setup([], {}, { language: 'es-US', roles: ['agent', 'customer'] });
    writeAudio(session, BOTH, 0, 200);
    await session.end();

    expect(streams).toHaveLength(1);
    const input = streams[0].input;
    expect(input).toMatchObject({
      LanguageCode: 'es-US',
      MediaEncoding: 'pcm',
      MediaSampleRateHertz: 8000,
      EnableChannelIdentification: true,
      NumberOfChannels: 2,
      ContentIdentificationType: 'PII',
    });
    expect(input.ContentRedactionType).toBeUndefined();
    expect(input.ShowSpeakerLabel).toBeUndefined();
    expect(input.SessionId).toMatch(UUID);
  });

  it.each([
    ['agent written first', ['agent', 'customer'] as Role[]],
    ['customer written first', ['customer', 'agent'] as Role[]],
  ])('sends 100 ms chunks of interleaved PCM16LE, ch_0 customer and ch_1 agent (%s)', async (_, order) => {
    const { session, streams } = setup([]);
    writeAudio(session, order, 4000, 1000);
    await session.end();

    const chunks = streams[0].chunks;
    expect(chunks.map((c) => c.length)).toEqual(Array(10).fill(3200));
    chunks.forEach((chunk, k) => {
      const expected = Int16Array.from({ length: 1600 }, (_, j) =>
        sampleValue(j % 2 === 0 ? 'customer' : 'agent', 4000 + k * 800 + Math.floor(j / 2)),
      );
      expect(samplesOf(chunk)).toEqual(expected);
    });
  });

  it('sends 200 ms chunks by default: one signed event per AudioHook frame', async () => {
    const { session, streams } = setup([], { chunkMs: undefined });
    writeAudio(session, BOTH, 0, 1000);
    await session.end();
    expect(streams[0].chunks.map((c) => c.length)).toEqual(Array(5).fill(6400));
  });

  it('sends the remainder as a short last chunk when the span ends', async () => {
    const { session, streams } = setup([]);
    writeAudio(session, BOTH, 0, 260);
    await session.end();
    expect(streams[0].chunks.map((c) => c.length)).toEqual([3200, 3200, 1920]);
    expect(streams[0].ended).toBe(true);
  });

  it('uses a single-channel stream for a mono session', async () => {
    const { session, streams, sink } = setup(
      [finalsAfterEnd([event(final(undefined, 0.1, 0.3, [['hello', 0.1, 0.3]]))])],
      {},
      { roles: ['agent'] },
    );
    writeAudio(session, ['agent'], 800, 300);
    session.write('customer', new Int16Array(160), 800);
    await session.end();

    const input = streams[0].input;
    expect(input.EnableChannelIdentification).toBeUndefined();
    expect(input.NumberOfChannels).toBeUndefined();
    expect(streams[0].chunks.map((c) => c.length)).toEqual([1600, 1600, 1600]);
    expect(Array.from(samplesOf(streams[0].chunks[1]).subarray(0, 3))).toEqual([1601, 1602, 1603].map((v) => -v));
    expect(sink.results).toMatchObject([{ role: 'agent', text: 'hello', startMs: 200, endMs: 400 }]);
  });
});

describe('TranscribeRecognizer: results', () => {
  const entityResult = {
    ...final('ch_0', 0.1, 0.9, [
      ['My', 0.1, 0.2],
      ['card', 0.2, 0.4],
      ['is', 0.4, 0.5],
      ['4111', 0.5, 0.9],
      ['.', 0.9, 0.9],
    ]),
  };
  entityResult.Alternatives![0].Entities = [
    { Category: 'PII', Type: 'CREDIT_DEBIT_NUMBER', Content: '4111', StartTime: 0.5, EndTime: 0.9, Confidence: 0.99 },
  ];

  const script: StreamScript = async (stream) =>
    (async function* () {
      await stream.untilChunks(3);
      yield event(partial('ch_0', 0.1, 0.4, 'my car'));
      await tick(5);
      yield event(partial('ch_1', 0.2, 0.5, 'thank'), partial('ch_0', 0.1, 0.6, 'my card is'));
      await stream.untilEnded();
      await tick(5);
      // Channel identification: one event carries results of both channels.
      yield event(
        entityResult,
        final('ch_1', 0.2, 0.7, [
          ['Thank', 0.2, 0.4],
          ['you', 0.4, 0.7],
          ['.', 0.7, 0.7],
        ]),
      );
    })();

  it('forwards every final of an event with its role, on the call timeline, and ignores partials', async () => {
    const { session, sink } = setup([script]);
    writeAudio(session, BOTH, 16000, 1000);
    await session.end();

    expect(sink.errors).toEqual([]);
    expect(sink.results).toHaveLength(2);
    const [customer, agent] = sink.results;
    expect(customer).toMatchObject({ role: 'customer', text: 'My card is 4111.', startMs: 2100, endMs: 2900 });
    expect(customer.confidence).toBeCloseTo(0.9);
    expect(customer.words).toEqual([
      { content: 'My', kind: 'word', startMs: 2100, endMs: 2200, confidence: 0.9 },
      { content: 'card', kind: 'word', startMs: 2200, endMs: 2400, confidence: 0.9 },
      { content: 'is', kind: 'word', startMs: 2400, endMs: 2500, confidence: 0.9 },
      { content: '4111', kind: 'word', startMs: 2500, endMs: 2900, confidence: 0.9 },
      { content: '.', kind: 'punctuation', startMs: 2900, endMs: 2900 },
    ]);
    expect(customer.entities).toEqual([{ category: 'PII', type: 'CREDIT_DEBIT_NUMBER', content: '4111', startMs: 2500, endMs: 2900 }]);
    expect(agent).toMatchObject({ role: 'agent', text: 'Thank you.', startMs: 2200, endMs: 2700 });
    expect(agent.words?.at(-1)).toMatchObject({ content: '.', kind: 'punctuation' });
  });

  it('leaves words out unless word timings are wanted, but keeps entities', async () => {
    const { session, sink } = setup([script], {}, { wordTimings: false });
    writeAudio(session, BOTH, 16000, 1000);
    await session.end();
    expect(sink.results[0].words).toBeUndefined();
    expect(sink.results[0].entities).toHaveLength(1);
  });

  it('end() resolves only after the last finals arrived', async () => {
    const { session, sink, streams } = setup([
      async (stream) =>
        (async function* () {
          await stream.untilEnded();
          await tick(50);
          yield event(final('ch_1', 0, 0.2, [['bye', 0, 0.2]]));
        })(),
    ]);
    writeAudio(session, BOTH, 0, 300);
    await tick(10);
    expect(streams[0].ended).toBe(false);
    await session.end();
    expect(streams[0].ended).toBe(true);
    expect(sink.results).toMatchObject([{ role: 'agent', text: 'bye' }]);
  });

  it('end() gives up waiting for finals after its bound', async () => {
    const { session, sink } = setup(
      [
        async () =>
          (async function* () {
            await new Promise(() => undefined);
            yield event();
          })(),
      ],
      { endTimeoutMs: 50 },
    );
    writeAudio(session, BOTH, 0, 200);
    // The stream never answers: without the bound, end() would never resolve and the test would time out.
    await session.end();
    expect(sink.errors).toEqual([]);
  });

  it('a listener that throws does not stop the other results', async () => {
    const { session, sink } = setup([
      finalsAfterEnd([event(final('ch_0', 0, 0.1, [['one', 0, 0.1]]), final('ch_1', 0, 0.1, [['two', 0, 0.1]]))]),
    ]);
    let calls = 0;
    const onResult = sink.listener.onResult;
    sink.listener.onResult = (result) => {
      calls += 1;
      if (calls === 1) throw new Error('listener bug');
      onResult(result);
    };
    writeAudio(session, BOTH, 0, 200);
    await session.end();
    expect(sink.results.map((r) => r.text)).toEqual(['two']);
  });
});

describe('TranscribeRecognizer: the call timeline', () => {
  it('skips time nobody wrote audio for and maps results across the jump', async () => {
    const { session, sink, streams } = setup([
      finalsAfterEnd([
        event(final('ch_0', 0.2, 0.4, [['before', 0.2, 0.4]])),
        event(final('ch_1', 0.6, 0.8, [['after', 0.6, 0.8]])),
        event(final('ch_0', 0.4, 0.6, [['across', 0.4, 0.6]])),
      ]),
    ]);
    writeAudio(session, BOTH, 0, 500);
    writeAudio(session, BOTH, 24000, 500);
    await session.end();

    expect(streams).toHaveLength(1);
    expect(streams[0].bytes).toBe(32000);
    expect(sink.results.map(({ text, startMs, endMs }) => ({ text, startMs, endMs }))).toEqual([
      { text: 'before', startMs: 200, endMs: 400 },
      { text: 'after', startMs: 3100, endMs: 3300 },
      { text: 'across', startMs: 400, endMs: 3100 },
    ]);
  });

  it('ends the stream after the idle grace and opens a new one, with a new offset, on resume', async () => {
    const { session, sink, streams } = setup(
      [
        finalsAfterEnd([event(final('ch_0', 0.1, 0.2, [['first', 0.1, 0.2]]))]),
        finalsAfterEnd([event(final('ch_1', 0.05, 0.25, [['second', 0.05, 0.25]]))]),
      ],
      { idleGraceMs: 40 },
    );
    writeAudio(session, BOTH, 0, 300);
    await tick(1);
    expect(streams[0].ended).toBe(false);
    await streams[0].untilEnded();
    await tick(30);
    expect(sink.results).toMatchObject([{ role: 'customer', text: 'first', startMs: 100, endMs: 200 }]);

    writeAudio(session, BOTH, 80000, 300);
    await session.end();

    expect(streams).toHaveLength(2);
    expect(streams[1].input.SessionId).not.toBe(streams[0].input.SessionId);
    expect(sink.results[1]).toMatchObject({ role: 'agent', text: 'second', startMs: 10050, endMs: 10250 });
  });

  it('rotates the stream before the duration limit, keeping the timeline and roles', async () => {
    let now = 0;
    const { session, sink, streams } = setup(
      [
        finalsAfterEnd([event(final('ch_0', 0.1, 0.2, [['old', 0.1, 0.2]]))]),
        finalsAfterEnd([event(final('ch_1', 0.1, 0.2, [['new', 0.1, 0.2]]))]),
      ],
      { rotateAfterMs: 1_000, now: () => now },
    );
    writeAudio(session, BOTH, 0, 300);
    now += 1_000;
    writeAudio(session, BOTH, 2400, 300);
    await session.end();

    expect(streams).toHaveLength(2);
    expect(streams[0].ended).toBe(true);
    expect(streams[0].chunks).toHaveLength(3);
    expect(streams[1].chunks).toHaveLength(3);
    expect(streams[1].input.SessionId).not.toBe(streams[0].input.SessionId);
    expect(sink.results).toMatchObject([
      { role: 'customer', text: 'old', startMs: 100, endMs: 200 },
      { role: 'agent', text: 'new', startMs: 400, endMs: 500 },
    ]);
  });
});

describe('TranscribeRecognizer: failures', () => {
  it('LimitExceededException at start fails both roles with 5002 and is not retried', async () => {
    const { session, sink, mock } = setup([failWith(new LimitExceededException({ message: 'quota', $metadata: {} }))]);
    writeAudio(session, BOTH, 0, 300);
    await tick(30);
    writeAudio(session, BOTH, 2400, 300);
    await session.end();

    expect(mock.calls()).toHaveLength(1);
    expect(sink.errors.map((e) => [e.role, e.error.statusCode])).toEqual([
      ['customer', 5002],
      ['agent', 5002],
    ]);
    expect(sink.errors[0].error).toBeInstanceOf(RecognitionError);
  });

  it('LimitExceededException on the result stream fails with 5002', async () => {
    const { session, sink } = setup([
      async (stream) =>
        // eslint-disable-next-line require-yield -- a result stream that fails before its first event
        (async function* () {
          await stream.untilChunks(1);
          throw new LimitExceededException({ message: 'session too long', $metadata: {} });
        })(),
    ]);
    writeAudio(session, BOTH, 0, 300);
    await session.end();
    expect(sink.errors.map((e) => e.error.statusCode)).toEqual([5002, 5002]);
  });

  it.each([
    ['The language code you specified is not supported in this region.', 4050],
    ['You cannot set both ContentIdentificationType and ContentRedactionType.', 5000],
  ])('BadRequestException "%s" fails with %i', async (message, code) => {
    const { session, sink, mock } = setup([failWith(new BadRequestException({ message, $metadata: {} }))]);
    writeAudio(session, BOTH, 0, 300);
    await session.end();
    expect(mock.calls()).toHaveLength(1);
    expect(sink.errors.map((e) => e.error.statusCode)).toEqual([code, code]);
  });

  it('a transient 503 at start is retried with a new session id and no audio is lost', async () => {
    const { session, sink, streams } = setup([
      failWith(serviceUnavailable()),
      finalsAfterEnd([event(final('ch_0', 0.1, 0.3, [['hi', 0.1, 0.3]]))]),
    ]);
    writeAudio(session, BOTH, 8000, 500);
    await session.end();

    expect(streams).toHaveLength(2);
    expect(streams[0].input.SessionId).toMatch(UUID);
    expect(streams[1].input.SessionId).toMatch(UUID);
    expect(streams[1].input.SessionId).not.toBe(streams[0].input.SessionId);
    expect(streams[1].bytes).toBe(16000);
    expect(samplesOf(streams[1].chunks[0])[0]).toBe(sampleValue('customer', 8000));
    expect(sink.errors).toEqual([]);
    expect(sink.results).toMatchObject([{ role: 'customer', text: 'hi', startMs: 1100, endMs: 1300 }]);
  });

  it('InternalFailureException mid-stream restarts the stream, keeping the timeline', async () => {
    const { session, sink, streams } = setup([
      async (stream) =>
        (async function* () {
          await stream.untilChunks(3);
          yield event(final('ch_0', 0, 0.2, [['early', 0, 0.2]]));
          await tick(5);
          throw new InternalFailureException({ message: 'internal', $metadata: {} });
        })(),
      finalsAfterEnd([event(final('ch_1', 0, 0.1, [['late', 0, 0.1]]))]),
    ]);
    writeAudio(session, BOTH, 8000, 300);
    await tick(40);
    writeAudio(session, BOTH, 10400, 300);
    await session.end();

    expect(streams).toHaveLength(2);
    expect(streams[1].input.SessionId).not.toBe(streams[0].input.SessionId);
    expect(streams[1].chunks).toHaveLength(3);
    expect(sink.errors).toEqual([]);
    expect(sink.results).toMatchObject([
      { role: 'customer', text: 'early', startMs: 1000, endMs: 1200 },
      { role: 'agent', text: 'late', startMs: 1300, endMs: 1400 },
    ]);
  });

  it('gives up with 5000 for both roles after the bounded number of retries', async () => {
    const { session, sink, streams } = setup(
      [failWith(serviceUnavailable()), failWith(serviceUnavailable()), failWith(serviceUnavailable())],
      { maxRetries: 2 },
    );
    writeAudio(session, BOTH, 0, 300);
    await session.end();

    expect(streams).toHaveLength(3);
    expect(new Set(streams.map((s) => s.input.SessionId)).size).toBe(3);
    expect(sink.errors.map((e) => [e.role, e.error.statusCode])).toEqual([
      ['customer', 5000],
      ['agent', 5000],
    ]);
  });
});

describe('TranscribeRecognizer: close()', () => {
  it('drops running streams and releases the session', async () => {
    const { recognizer, session, streams } = setup([
      async () =>
        (async function* () {
          await new Promise(() => undefined);
          yield event();
        })(),
    ]);
    writeAudio(session, BOTH, 0, 200);
    await tick(5);
    await recognizer.close();
    await session.end();
    expect(streams).toHaveLength(1);
  });
});
