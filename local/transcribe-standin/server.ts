import { randomUUID } from 'node:crypto';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { logger } from '#core/logger.ts';
import type { Recognizer } from '#gateway/recognition/recognizer.ts';
import { EchoTranscriber, EngineTranscriber } from './transcribers.ts';
import type { StreamTranscriber, TranscriptResultsSink } from './transcribers.ts';
import {
  EVENT_STREAM_CONTENT_TYPE,
  MessageReader,
  exceptionMessage,
  parseStreamRequest,
  readClientMessage,
  transcriptEventMessage,
} from './wire.ts';
import type { RequestRejection, StreamRequest, TranscriptResult } from './wire.ts';

/**
 * A local Amazon Transcribe streaming service for the real AWS SDK: HTTP/2 in clear text, the
 * `StartStreamTranscription` operation, the event-stream codec both ways, SigV4 headers checked for
 * shape. See docs/transcribe-stand-in.md.
 */

export type StandInMode = 'engine' | 'echo';

/** Service exceptions the stand-in can raise, with the HTTP status they have when raised at start. */
const EXCEPTION_STATUS = {
  BadRequestException: 400,
  ConflictException: 409,
  LimitExceededException: 429,
  InternalFailureException: 500,
  ServiceUnavailableException: 503,
} as const;
type StandInException = keyof typeof EXCEPTION_STATUS;

/**
 * A fault for the next stream opened (faults queue up, one per stream):
 * - `exception`: at start (HTTP error response) or, with `afterAudioMs`, in the stream after that much audio;
 * - `reset`: the HTTP/2 stream is reset (RST_STREAM INTERNAL_ERROR) after that much audio;
 * - `slow`: every response event of the stream is held back `delayMs`.
 */
export type StandInFault =
  | { kind: 'exception'; exception: StandInException; message?: string; afterAudioMs?: number }
  | { kind: 'reset'; afterAudioMs: number }
  | { kind: 'slow'; delayMs: number };

export interface TranscribeStandInOptions {
  mode: StandInMode;
  /** Engine mode: the engine whose results are answered (the embedded engine when absent). */
  recognizer?: Recognizer;
  host?: string;
  port?: number;
  /** The service ends a stream that received no audio for this long (Transcribe: 15 s). */
  idleTimeoutMs?: number;
  /** Echo mode: audio per scripted final, per channel. Default 2 s. */
  echoFinalEveryMs?: number;
}

/** How a stream ended, as the stand-in saw it. */
type StreamOutcome = 'completed' | 'exception' | 'reset' | 'idle-timeout' | 'rejected' | 'client-gone' | 'protocol-error';

/** One stream as tests inspect it afterwards (no audio kept, only counts). */
export interface StreamRecord {
  request: StreamRequest | undefined;
  rejection?: RequestRejection;
  /** Raw request headers (`authorization` cut to its credential scope). */
  headers: Record<string, string>;
  audioEvents: number;
  audioBytes: number;
  endFrameReceived: boolean;
  finals: number;
  partials: number;
  outcome: StreamOutcome | undefined;
  fault?: StandInFault;
}

export class TranscribeStandIn {
  readonly streams: StreamRecord[] = [];
  private readonly server: http2.Http2Server;
  private readonly faults: StandInFault[] = [];
  private readonly live = new Set<http2.ServerHttp2Stream>();
  private readonly idleTimeoutMs: number;
  private address: AddressInfo | undefined;

  private constructor(
    private readonly options: TranscribeStandInOptions,
    private readonly recognizer: Recognizer | undefined,
  ) {
    this.idleTimeoutMs = options.idleTimeoutMs ?? 15_000;
    // Thousands of streams share one connection from a gateway: the default 10 MB per-session budget
    // and 100-stream settings of Node would refuse them long before the service does.
    this.server = http2.createServer({ maxSessionMemory: 1_000, settings: { maxConcurrentStreams: 100_000 } });
    this.server.on('stream', (stream, headers) => this.onStream(stream, headers));
    this.server.on('sessionError', (error) => logger.debug('stand-in HTTP/2 session error', { error: error.message }));
  }

  /** Starts listening (loopback, a free port unless given); engine mode loads the embedded engine first. */
  static async start(options: TranscribeStandInOptions): Promise<TranscribeStandIn> {
    let recognizer = options.recognizer;
    if (options.mode === 'engine' && !recognizer) {
      const { createEmbeddedRecognizer } = await import('#gateway/recognition/embedded/embedded-recognizer.ts');
      recognizer = await createEmbeddedRecognizer();
    }
    const standIn = new TranscribeStandIn(options, recognizer);
    await new Promise<void>((resolve, reject) => {
      standIn.server.once('error', reject);
      standIn.server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
    });
    standIn.address = standIn.server.address() as AddressInfo;
    return standIn;
  }

  /** The endpoint to give the SDK (`endpoint`, or `AWS_ENDPOINT_URL_TRANSCRIBE_STREAMING`). */
  get url(): string {
    const { address, port } = this.address!;
    return `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
  }

  /** Queues a fault for the next stream that opens. */
  injectFault(fault: StandInFault): void {
    this.faults.push(fault);
  }

  /** Streams still open. */
  get liveStreams(): number {
    return this.live.size;
  }

  async stop(): Promise<void> {
    for (const stream of this.live) stream.close(http2.constants.NGHTTP2_CANCEL);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    // Engine mode with our own engine: release its decoder threads.
    if (!this.options.recognizer) await this.recognizer?.close();
  }

  private onStream(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders): void {
    const record: StreamRecord = {
      request: undefined,
      headers: loggableHeaders(headers),
      audioEvents: 0,
      audioBytes: 0,
      endFrameReceived: false,
      finals: 0,
      partials: 0,
      outcome: undefined,
    };
    this.streams.push(record);
    stream.on('error', () => undefined);
    const parsed = parseStreamRequest(headers);
    const rejection = 'status' in parsed ? parsed : this.unsupported(parsed);
    if (rejection) {
      record.rejection = rejection;
      record.outcome = 'rejected';
      return respondError(stream, rejection.status, rejection.errorType, rejection.message);
    }
    const request = parsed as StreamRequest;
    record.request = request;
    const fault = this.faults.shift();
    if (fault) record.fault = fault;
    if (fault?.kind === 'exception' && fault.afterAudioMs === undefined) {
      record.outcome = 'exception';
      return respondError(stream, EXCEPTION_STATUS[fault.exception], fault.exception, fault.message ?? defaultMessage(fault.exception));
    }
    new StandInStream(
      stream,
      request,
      record,
      fault,
      this.idleTimeoutMs,
      (emit, fail) => this.transcriber(request, emit, fail),
      this.live,
    ).start();
  }

  /** Engine mode answers only what its engine can: 8 kHz PCM in the engine's languages. */
  private unsupported(request: StreamRequest): RequestRejection | undefined {
    if (this.options.mode !== 'engine') return undefined;
    if (request.mediaEncoding !== 'pcm' || request.sampleRate !== 8000) {
      return { status: 400, errorType: 'BadRequestException', message: 'this stand-in engine accepts only 8000 Hz pcm audio' };
    }
    const languages = this.recognizer?.languages;
    if (languages && !languages.includes(request.languageCode)) {
      return {
        status: 400,
        errorType: 'BadRequestException',
        message: `the stand-in's engine does not support the language ${request.languageCode}`,
      };
    }
    return undefined;
  }

  private transcriber(request: StreamRequest, emit: TranscriptResultsSink, fail: (message: string) => void): StreamTranscriber {
    if (this.options.mode === 'echo') return new EchoTranscriber(request, emit, this.options.echoFinalEveryMs);
    return new EngineTranscriber(this.recognizer!, request, emit, fail);
  }
}

/** One open `StartStreamTranscription` stream. */
class StandInStream {
  private readonly reader = new MessageReader(1 << 20);
  private readonly sessionId: string;
  private transcriber!: StreamTranscriber;
  private idleTimer: NodeJS.Timeout | undefined;
  private audioMs = 0;
  private finished = false;
  /** Slow mode: responses leave in order, each after the delay. */
  private outgoing: Promise<void> = Promise.resolve();

  constructor(
    private readonly stream: http2.ServerHttp2Stream,
    private readonly request: StreamRequest,
    private readonly record: StreamRecord,
    private readonly fault: StandInFault | undefined,
    private readonly idleTimeoutMs: number,
    private readonly createTranscriber: (emit: TranscriptResultsSink, fail: (message: string) => void) => StreamTranscriber,
    private readonly live: Set<http2.ServerHttp2Stream>,
  ) {
    this.sessionId = request.sessionId ?? randomUUID();
  }

  start(): void {
    const { stream } = this;
    this.live.add(stream);
    stream.respond({
      ':status': 200,
      'content-type': EVENT_STREAM_CONTENT_TYPE,
      'x-amzn-request-id': randomUUID(),
      ...this.request.parameters,
      'x-amzn-transcribe-session-id': this.sessionId,
    });
    this.transcriber = this.createTranscriber(
      (results) => this.send(results),
      (message) => this.raise('InternalFailureException', `the stand-in's engine failed: ${message}`),
    );
    this.armIdle();
    stream.on('data', (chunk: Buffer) => this.onData(chunk));
    stream.on('end', () => void this.onAudioEnd());
    stream.on('close', () => {
      this.live.delete(stream);
      clearTimeout(this.idleTimer);
      if (!this.finished) {
        this.finished = true;
        this.record.outcome ??= 'client-gone';
        this.transcriber.abort();
      }
    });
  }

  private onData(chunk: Buffer): void {
    if (this.finished) return;
    let messages: Uint8Array[];
    try {
      messages = this.reader.push(chunk);
      for (const bytes of messages) {
        const event = readClientMessage(bytes);
        if (event.kind === 'end') {
          this.record.endFrameReceived = true;
          continue;
        }
        if (this.record.endFrameReceived) throw new Error('audio after the end of the audio stream');
        this.onAudio(event.audio);
        if (this.finished) return;
      }
    } catch (error) {
      this.record.outcome = 'protocol-error';
      this.raise('BadRequestException', (error as Error).message.slice(0, 200));
    }
  }

  private onAudio(audio: Uint8Array): void {
    this.record.audioEvents += 1;
    this.record.audioBytes += audio.length;
    this.audioMs += (audio.length / (this.request.channels * 2) / this.request.sampleRate) * 1000;
    this.armIdle();
    const fault = this.fault;
    if (fault?.kind === 'reset' && this.audioMs >= fault.afterAudioMs) {
      this.finished = true;
      this.record.outcome = 'reset';
      this.transcriber.abort();
      this.stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
      return;
    }
    if (fault?.kind === 'exception' && this.audioMs >= (fault.afterAudioMs ?? 0)) {
      this.record.outcome = 'exception';
      this.raise(fault.exception, fault.message ?? defaultMessage(fault.exception));
      return;
    }
    this.transcriber.write(audio);
  }

  /** The client ended its body: flush the engine, then end the response. */
  private async onAudioEnd(): Promise<void> {
    if (this.finished) return;
    clearTimeout(this.idleTimer);
    if (this.reader.leftover > 0) {
      this.record.outcome = 'protocol-error';
      return this.raise('BadRequestException', 'the audio stream ended inside an event-stream message');
    }
    await this.transcriber.end();
    if (this.finished) return;
    this.finished = true;
    this.record.outcome = 'completed';
    await this.outgoing;
    if (!this.stream.destroyed) this.stream.end();
  }

  /** Transcribe ends a stream that received no audio for 15 s with a BadRequestException. */
  private armIdle(): void {
    if (this.idleTimer) return void this.idleTimer.refresh();
    this.idleTimer = setTimeout(() => {
      if (this.finished) return;
      this.record.outcome = 'idle-timeout';
      this.raise(
        'BadRequestException',
        `Your request timed out because no new audio was received for ${Math.round(this.idleTimeoutMs / 1000)} seconds.`,
      );
    }, this.idleTimeoutMs);
    this.idleTimer.unref();
  }

  private send(results: TranscriptResult[]): void {
    if (this.finished) return;
    for (const result of results) {
      if (result.IsPartial) this.record.partials += 1;
      else this.record.finals += 1;
    }
    this.write(transcriptEventMessage(results));
  }

  /** An exception event ends the stream, after whatever was already on its way. */
  private raise(exception: string, message: string): void {
    if (this.finished) return;
    this.finished = true;
    clearTimeout(this.idleTimer);
    this.transcriber.abort();
    this.write(exceptionMessage(exception, message));
    void this.outgoing.then(() => {
      if (!this.stream.destroyed) this.stream.end();
    });
  }

  private write(bytes: Uint8Array): void {
    const fault = this.fault;
    if (fault?.kind !== 'slow') {
      if (!this.stream.destroyed) this.stream.write(bytes);
      return;
    }
    this.outgoing = this.outgoing.then(
      () =>
        new Promise<void>((resolve) =>
          setTimeout(() => {
            if (!this.stream.destroyed) this.stream.write(bytes);
            resolve();
          }, fault.delayMs),
        ),
    );
  }
}

/** An error answered instead of a stream, as the service's JSON protocol shapes it. */
function respondError(stream: http2.ServerHttp2Stream, status: number, errorType: string, message: string): void {
  // The client streams audio before it reads the answer: take it in and drop it.
  stream.resume();
  if (stream.destroyed) return;
  stream.respond({
    ':status': status,
    'content-type': 'application/x-amz-json-1.1',
    'x-amzn-errortype': errorType,
    'x-amzn-request-id': randomUUID(),
  });
  stream.end(JSON.stringify({ Message: message }));
}

function defaultMessage(exception: StandInException): string {
  switch (exception) {
    case 'LimitExceededException':
      return 'You have reached your limit of concurrent streams. Try again later.';
    case 'BadRequestException':
      return 'The request was not valid.';
    default:
      return `${exception} raised by the stand-in`;
  }
}

function loggableHeaders(headers: http2.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value !== 'string') continue;
    out[name] = name === 'authorization' ? value.replace(/Signature=[0-9a-f]+/, 'Signature=…') : value.slice(0, 256);
  }
  return out;
}
