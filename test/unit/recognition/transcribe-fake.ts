import { mockClient } from 'aws-sdk-client-mock';
import { StartStreamTranscriptionCommand, TranscribeStreamingClient } from '@aws-sdk/client-transcribe-streaming';
import type { Result, StartStreamTranscriptionCommandInput, TranscriptResultStream } from '@aws-sdk/client-transcribe-streaming';
import type { Role } from '#core/domain/participant.ts';
import type { RecognitionError, RecognitionResult, RecognitionSession } from '#gateway/recognition/recognizer.ts';

/** What one mocked `StartStreamTranscription` call received, consumed the way the SDK would. */
class FakeStream {
  readonly chunks: Uint8Array[] = [];
  ended = false;
  private waiters: (() => void)[] = [];

  constructor(readonly input: StartStreamTranscriptionCommandInput) {}

  /** Pulls the audio generator eagerly, as HTTP/2 does, recording each AudioEvent. */
  async consume(): Promise<void> {
    for await (const event of this.input.AudioStream ?? []) {
      if (event.AudioEvent?.AudioChunk) this.chunks.push(event.AudioEvent.AudioChunk);
      this.wake();
    }
    this.ended = true;
    this.wake();
  }

  get bytes(): number {
    return this.chunks.reduce((sum, chunk) => sum + chunk.length, 0);
  }

  untilChunks(count: number): Promise<void> {
    return this.until(() => this.chunks.length >= count);
  }

  /** Resolves once the session finished the audio (the SDK would now send the end frame). */
  untilEnded(): Promise<void> {
    return this.until(() => this.ended);
  }

  private until(condition: () => boolean): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise((resolve) => {
      const check = (): void => {
        if (condition()) resolve();
        else this.waiters.push(check);
      };
      this.waiters.push(check);
    });
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter();
  }
}

/**
 * A scripted stream: returns the result events (an async iterable) or throws to fail the `send()`
 * itself, like an HTTP error response at start.
 */
export type StreamScript = (stream: FakeStream) => Promise<AsyncIterable<TranscriptResultStream>>;

/** Mocks `TranscribeStreamingClient#send`; the n-th stream follows the n-th script (then `fallback`). */
export function fakeTranscribe(scripts: StreamScript[], fallback: StreamScript = finalsAfterEnd([])) {
  const mock = mockClient(TranscribeStreamingClient);
  const streams: FakeStream[] = [];
  mock.on(StartStreamTranscriptionCommand).callsFake(async (input: StartStreamTranscriptionCommandInput) => {
    const stream = new FakeStream(input);
    streams.push(stream);
    void stream.consume();
    const script = scripts[streams.length - 1] ?? fallback;
    return { SessionId: input.SessionId, TranscriptResultStream: await script(stream) };
  });
  return { mock, streams, client: new TranscribeStreamingClient({ region: 'us-east-1' }) };
}

/** Results as one TranscriptEvent (with channel identification, one event can carry several). */
export function event(...results: Result[]): TranscriptResultStream {
  return { TranscriptEvent: { Transcript: { Results: results } } };
}

export function tick(ms = 0): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The usual shape: nothing until the audio ends, then these events, then the stream closes. */
export function finalsAfterEnd(events: TranscriptResultStream[]): StreamScript {
  return async (stream) =>
    (async function* () {
      await stream.untilEnded();
      for (const e of events) {
        await tick(5);
        yield e;
      }
    })();
}

export function final(channel: string | undefined, start: number, end: number, words: [string, number, number][]): Result {
  const items = words.map(([content, s, e]) => ({
    Content: content,
    StartTime: s,
    EndTime: e,
    Type: /^[.,?!]$/.test(content) ? ('punctuation' as const) : ('pronunciation' as const),
    ...(/^[.,?!]$/.test(content) ? {} : { Confidence: 0.9 }),
  }));
  return {
    ResultId: `r-${channel}-${start}`,
    StartTime: start,
    EndTime: end,
    IsPartial: false,
    ...(channel !== undefined && { ChannelId: channel }),
    Alternatives: [
      {
        Transcript: words
          .map(([w]) => w)
          .join(' ')
          .replace(/ ([.,?!])/g, '$1'),
        Items: items,
      },
    ],
  };
}

export function partial(channel: string | undefined, start: number, end: number, text: string): Result {
  return {
    ResultId: `p-${channel}-${start}`,
    StartTime: start,
    EndTime: end,
    IsPartial: true,
    ...(channel !== undefined && { ChannelId: channel }),
    Alternatives: [{ Transcript: text, Items: [] }],
  };
}

/** Records what the session reports. */
export function collector() {
  const results: RecognitionResult[] = [];
  const errors: { role: Role; error: RecognitionError }[] = [];
  return {
    results,
    errors,
    listener: {
      onResult: (result: RecognitionResult): void => void results.push(result),
      onError: (role: Role, error: RecognitionError): void => void errors.push({ role, error }),
    },
  };
}

/** A recognizable sample value per role and position, so interleaving can be checked byte by byte. */
export function sampleValue(role: Role, sample: number): number {
  return (role === 'customer' ? 1 : -1) * ((sample % 16000) + 1);
}

export function pcm(role: Role, startSample: number, samples: number): Int16Array {
  return Int16Array.from({ length: samples }, (_, i) => sampleValue(role, startSample + i));
}

/** Writes `ms` of 20 ms AudioHook frames for each role, in the given role order per frame. */
export function writeAudio(session: RecognitionSession, roles: readonly Role[], startSample: number, ms: number): number {
  const frames = ms / 20;
  for (let f = 0; f < frames; f++) {
    for (const role of roles) session.write(role, pcm(role, startSample + f * 160, 160), startSample + f * 160);
  }
  return startSample + frames * 160;
}

export function samplesOf(chunk: Uint8Array): Int16Array {
  const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  return Int16Array.from({ length: chunk.byteLength / 2 }, (_, i) => view.getInt16(i * 2, true));
}
