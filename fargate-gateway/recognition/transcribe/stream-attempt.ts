import { randomUUID } from 'node:crypto';
import { StartStreamTranscriptionCommand } from '@aws-sdk/client-transcribe-streaming';
import type {
  AudioStream,
  Result,
  StartStreamTranscriptionCommandInput,
  TranscribeStreamingClient,
  TranscriptResultStream,
} from '@aws-sdk/client-transcribe-streaming';
import type { AudioFrame } from './frame-assembler.ts';
import { FrameQueue } from './frame-queue.ts';
import { sleep } from './backoff.ts';
import { StreamClock } from './stream-clock.ts';

export type StreamParameters = Omit<StartStreamTranscriptionCommandInput, 'AudioStream' | 'SessionId'>;

export type AttemptOutcome =
  | { kind: 'completed' }
  | { kind: 'aborted' }
  | { kind: 'failed'; error: unknown; /** The service delivered at least one event first. */ healthy: boolean };

export interface StreamAttemptOptions {
  client: TranscribeStreamingClient;
  parameters: StreamParameters;
  queueCapacity: number;
  createdAt: number;
  onFinal(result: Result, clock: StreamClock): void;
  /** The backlog was full and `dropped`, its oldest frame, will never be sent. */
  onOverflow(attempt: StreamAttempt, dropped: AudioFrame): void;
}

/**
 * One `StartStreamTranscription` call: its own session id, audio queue and clock. Never restarted; a
 * retry or rotation is a new attempt that takes over the frames this one did not send.
 */
export class StreamAttempt {
  readonly sessionId = randomUUID();
  readonly clock = new StreamClock();
  readonly createdAt: number;
  private readonly queue: FrameQueue<AudioFrame>;
  private readonly abortController = new AbortController();
  /**
   * Frames the SDK pulled before the service accepted the stream. HTTP/2 streams the body before the
   * response arrives, so without this a failed start (503) would lose them.
   */
  private unconfirmed: AudioFrame[] | undefined = [];

  constructor(private readonly options: StreamAttemptOptions) {
    this.createdAt = options.createdAt;
    this.queue = new FrameQueue(options.queueCapacity, (dropped) => options.onOverflow(this, dropped));
  }

  push(frame: AudioFrame): void {
    this.queue.push(frame);
  }

  /** Sends what is queued, then ends the audio so the SDK sends the end frame and Transcribe flushes finals. */
  finish(): void {
    this.queue.close();
  }

  /** Drops the stream without waiting for its results. */
  abort(): void {
    this.abortController.abort();
  }

  /**
   * Frames a replacement stream must send: those never pulled, and those pulled by a stream the service
   * never accepted. Only meaningful once `run()` has settled.
   */
  takeUnsent(): AudioFrame[] {
    const unconfirmed = this.unconfirmed ?? [];
    this.unconfirmed = undefined;
    return [...unconfirmed, ...this.queue.drain()];
  }

  /** Opens the stream after `delayMs` and consumes its results until it ends, fails or is aborted. */
  async run(delayMs: number): Promise<AttemptOutcome> {
    const signal = this.abortController.signal;
    let healthy = false;
    try {
      await sleep(delayMs, signal);
      if (signal.aborted) return { kind: 'aborted' };
      const response = await Promise.race([
        this.options.client.send(
          new StartStreamTranscriptionCommand({
            ...this.options.parameters,
            SessionId: this.sessionId,
            AudioStream: this.audio(),
          }),
          { abortSignal: signal },
        ),
        abortion(signal),
      ]);
      this.unconfirmed = undefined;
      const events = response.TranscriptResultStream;
      if (!events) return { kind: 'completed' };
      for await (const event of abortable(events, signal)) {
        const exception = exceptionIn(event);
        if (exception) throw exception;
        healthy = true;
        for (const result of event.TranscriptEvent?.Transcript?.Results ?? []) {
          if (!result.IsPartial) this.options.onFinal(result, this.clock);
        }
      }
      return signal.aborted ? { kind: 'aborted' } : { kind: 'completed' };
    } catch (error) {
      return signal.aborted ? { kind: 'aborted' } : { kind: 'failed', error, healthy };
    } finally {
      // Ends a pull the SDK left pending, so no frame is handed to a dead stream.
      this.queue.stop();
    }
  }

  private async *audio(): AsyncGenerator<AudioStream> {
    for (;;) {
      const frame = await this.queue.next();
      if (!frame) return;
      this.clock.append(frame.startSample, frame.samples);
      this.unconfirmed?.push(frame);
      yield { AudioEvent: { AudioChunk: frame.bytes } };
    }
  }
}

/**
 * The SDK throws modelled exceptions from the iterator; a stream surfaced as plain members (other SDK
 * paths, test doubles) is treated the same.
 */
function exceptionIn(event: TranscriptResultStream): unknown {
  if (event.TranscriptEvent) return undefined;
  const [name, value] = Object.entries(event).find(([key]) => key.endsWith('Exception')) ?? [];
  if (!name) return undefined;
  if (value instanceof Error) return value;
  const error = new Error(String((value as { Message?: string } | undefined)?.Message ?? name));
  error.name = name;
  return error;
}

/** Rejects once `signal` aborts, so a call that ignores the signal cannot hold the session open. */
function abortion(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    const onAbort = (): void => reject(new Error('Transcribe stream aborted'));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Iterates `source` but stops as soon as `signal` aborts, even while a `next()` is pending. */
async function* abortable<T>(source: AsyncIterable<T>, signal: AbortSignal): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  const aborted = new Promise<IteratorResult<T>>((resolve) => {
    const onAbort = (): void => resolve({ done: true, value: undefined });
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  let exhausted = false;
  try {
    for (;;) {
      const step = await Promise.race([iterator.next(), aborted]);
      if (step.done) {
        exhausted = !signal.aborted;
        return;
      }
      yield step.value;
    }
  } catch (error) {
    exhausted = true;
    throw error;
  } finally {
    // Left early (abort, or an exception event the consumer threw on): release the source.
    if (!exhausted) void Promise.resolve(iterator.return?.()).catch(() => undefined);
  }
}
