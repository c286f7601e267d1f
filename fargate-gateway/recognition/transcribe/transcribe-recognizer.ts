import { TranscribeStreamingClient } from '@aws-sdk/client-transcribe-streaming';
import type { Recognizer, RecognitionListener, RecognitionOptions, RecognitionSession } from '../recognizer.ts';
import { sdkLogger } from './sdk-logger.ts';
import { TranscribeSession } from './transcribe-session.ts';
import type { TranscribeSessionSettings } from './transcribe-session.ts';

export interface TranscribeRecognizerConfig {
  /** Region of the client created when none is given; otherwise the SDK's usual resolution applies. */
  region?: string;
  /**
   * A client to use instead of creating one. It is not destroyed by `close()`. Give it `maxAttempts: 1`:
   * the recognizer restarts failed streams itself, with a new session id and the audio not yet sent.
   */
  client?: TranscribeStreamingClient;
  /** Without audio for this long a stream is ended and the next audio opens a new one. Default 5 s. */
  idleGraceMs?: number;
  /** Streams are replaced after this long, below Transcribe's 4-hour limit. Default 3 h 55 min. */
  rotateAfterMs?: number;
  /**
   * `end()` waits at most this long for the last finals before dropping the streams. Default 30 s: it
   * only bounds a stream that hangs. What stop-streaming and `closed` wait for is FLUSH_BUDGET_MS, and
   * results arriving after that budget are still recorded and delivered — a shorter cut here would drop
   * them instead.
   */
  endTimeoutMs?: number;
  /** Consecutive restarts after transient service failures before giving up with 5000. Default 4. */
  maxRetries?: number;
  /** First retry delay; doubled per consecutive failure, half of it jittered. Default 250 ms. */
  retryBaseDelayMs?: number;
  /** Ceiling of the retry delay. Default 5 s. */
  retryMaxDelayMs?: number;
  /** Audio a stream may have waiting (starting, backing off, stalled) before the oldest is dropped. Default 30 s. */
  maxQueuedMs?: number;
  /**
   * Audio per chunk sent to Transcribe. Default 200 ms (6,400 bytes stereo): one chunk per AudioHook
   * frame, as Genesys sends them, so smaller chunks would leave at the same moment anyway. Each chunk is
   * one SigV4-signed event, and signing, framing and sending them is most of a call's CPU: 100 ms
   * chunks cost about twice as much per call. Amazon Transcribe advises 50 to 200 ms.
   */
  chunkMs?: number;
  /** How long one participant's audio waits for the other's before silence stands in. Default 1 s. */
  maxChannelSkewMs?: number;
  /** Clock for stream rotation; tests replace it. */
  now?: () => number;
}

const SAMPLES_PER_MS = 8;

/** Production engine: Amazon Transcribe streaming, one stream per start→stop span (docs/api-contract.md §9). */
export class TranscribeRecognizer implements Recognizer {
  private readonly client: TranscribeStreamingClient;
  private readonly ownsClient: boolean;
  private readonly settings: TranscribeSessionSettings;
  private readonly sessions = new Set<TranscribeSession>();

  constructor(config: TranscribeRecognizerConfig = {}) {
    this.ownsClient = config.client === undefined;
    // The SDK's own retry would resend a half-consumed audio stream under the same session id.
    this.client = config.client ?? new TranscribeStreamingClient({ region: config.region, maxAttempts: 1, logger: sdkLogger });
    const chunkMs = config.chunkMs ?? 200;
    this.settings = {
      idleGraceMs: config.idleGraceMs ?? 5_000,
      rotateAfterMs: config.rotateAfterMs ?? (3 * 60 + 55) * 60_000,
      endTimeoutMs: config.endTimeoutMs ?? 30_000,
      maxRetries: config.maxRetries ?? 4,
      backoff: { baseDelayMs: config.retryBaseDelayMs ?? 250, maxDelayMs: config.retryMaxDelayMs ?? 5_000 },
      queueCapacityFrames: Math.max(1, Math.ceil((config.maxQueuedMs ?? 30_000) / chunkMs)),
      frameSamples: chunkMs * SAMPLES_PER_MS,
      maxSkewSamples: (config.maxChannelSkewMs ?? 1_000) * SAMPLES_PER_MS,
      now: config.now ?? Date.now,
      random: Math.random,
    };
  }

  open(options: RecognitionOptions, listener: RecognitionListener): RecognitionSession {
    const session = new TranscribeSession(this.client, options, listener, this.settings);
    this.sessions.add(session);
    return {
      write: (role, pcm, startSample) => session.write(role, pcm, startSample),
      end: () => session.end().finally(() => this.sessions.delete(session)),
    };
  }

  async close(): Promise<void> {
    for (const session of this.sessions) session.abort();
    this.sessions.clear();
    if (this.ownsClient) this.client.destroy();
  }
}

export function createTranscribeRecognizer(config: TranscribeRecognizerConfig = {}): TranscribeRecognizer {
  return new TranscribeRecognizer(config);
}
