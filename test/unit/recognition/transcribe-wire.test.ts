import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { TranscribeStreamingClient } from '@aws-sdk/client-transcribe-streaming';
import type { Result } from '@aws-sdk/client-transcribe-streaming';
// Transitive dependencies of the SDK, used only to play the service's side of the wire.
import { EventStreamCodec } from '@smithy/core/event-streams';
import type { MessageHeaders } from '@smithy/types';
import { HttpResponse } from '@smithy/core/protocols';
import type { HttpRequest } from '@smithy/core/protocols';
import type { Role } from '#core/domain/participant.ts';
import { createTranscribeRecognizer } from '#gateway/recognition/transcribe/transcribe-recognizer.ts';
import { collector, final, partial, sampleValue, samplesOf, tick, writeAudio } from './transcribe-fake.ts';

/**
 * The whole SDK runs (serialisation, SigV4 event signing, event-stream framing, exception
 * deserialisation); only the HTTP/2 handler is replaced by an in-process Transcribe.
 */
const codec = new EventStreamCodec(
  (bytes) => new TextDecoder().decode(bytes),
  (text) => new TextEncoder().encode(text),
);

const string = (value: string) => ({ type: 'string' as const, value });

class WireCall {
  readonly audio: Uint8Array[] = [];
  endFrame = false;
  private done!: () => void;
  readonly ended = new Promise<void>((resolve) => (this.done = resolve));

  constructor(readonly request: HttpRequest) {
    void this.read(request.body as AsyncIterable<Uint8Array>);
  }

  header(name: string): string | undefined {
    return this.request.headers[name];
  }

  /** Unwraps each signed envelope (`:chunk-signature`) to the AudioEvent inside. */
  private async read(body: AsyncIterable<Uint8Array>): Promise<void> {
    let buffer: Uint8Array = new Uint8Array(0);
    try {
      for await (const piece of body) {
        buffer = concat(buffer, piece);
        while (buffer.length >= 4) {
          const length = new DataView(buffer.buffer, buffer.byteOffset).getUint32(0);
          if (buffer.length < length) break;
          const envelope = codec.decode(buffer.subarray(0, length));
          buffer = buffer.subarray(length);
          expect(envelope.headers[':chunk-signature']).toBeDefined();
          if (envelope.body.length === 0) {
            this.endFrame = true;
            continue;
          }
          const inner = codec.decode(envelope.body);
          expect(inner.headers[':event-type']?.value).toBe('AudioEvent');
          this.audio.push(inner.body);
        }
      }
    } catch {
      // The SDK tears the request body down once the response failed; a real handler sees the same.
    } finally {
      this.done();
    }
  }
}

type Responder = (call: WireCall) => HttpResponse;

function fakeEndpoint(responders: Responder[]) {
  const calls: WireCall[] = [];
  const handler = {
    metadata: { handlerProtocol: 'h2' },
    async handle(request: HttpRequest) {
      const call = new WireCall(request);
      calls.push(call);
      return { response: responders[calls.length - 1](call) };
    },
    updateHttpClientConfig: () => undefined,
    httpHandlerConfigs: () => ({}),
    destroy: () => undefined,
  };
  const client = new TranscribeStreamingClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    requestHandler: handler,
    maxAttempts: 1,
    logger: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
  });
  return { client, calls };
}

function eventMessage(headers: MessageHeaders, payload: unknown): Uint8Array {
  return codec.encode({
    headers: { ':content-type': string('application/json'), ...headers },
    body: new TextEncoder().encode(JSON.stringify(payload)),
  });
}

const transcript = (...results: Result[]) =>
  eventMessage({ ':message-type': string('event'), ':event-type': string('TranscriptEvent') }, { Transcript: { Results: results } });

const exception = (type: string, message: string) =>
  eventMessage({ ':message-type': string('exception'), ':exception-type': string(type) }, { Message: message });

function streaming(call: WireCall, messages: (call: WireCall) => AsyncIterable<Uint8Array>): HttpResponse {
  return new HttpResponse({
    statusCode: 200,
    headers: {
      'content-type': 'application/vnd.amazon.eventstream',
      'x-amzn-request-id': 'req-1',
      'x-amzn-transcribe-session-id': call.header('x-amzn-transcribe-session-id') ?? '',
    },
    body: Readable.from(messages(call)),
  });
}

function httpError(status: number, type: string, message: string): HttpResponse {
  return new HttpResponse({
    statusCode: status,
    headers: { 'content-type': 'application/json', 'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/` },
    body: Readable.from([Buffer.from(JSON.stringify({ Message: message }))]),
  });
}

const BOTH: Role[] = ['customer', 'agent'];
const options = { conversationId: 'wire', language: 'en-US', sampleRate: 8000 as const, roles: BOTH, wordTimings: true };

describe('TranscribeRecognizer through the real SDK', () => {
  it('sends signed, framed stereo audio with the end frame and maps the streamed results', async () => {
    const { client, calls } = fakeEndpoint([
      (call) =>
        streaming(call, async function* () {
          yield transcript(partial('ch_0', 0, 0.2, 'hel'));
          await call.ended;
          await tick(5);
          yield transcript(
            final('ch_0', 0.1, 0.3, [
              ['Hello', 0.1, 0.3],
              ['.', 0.3, 0.3],
            ]),
            final('ch_1', 0.2, 0.4, [['Hi', 0.2, 0.4]]),
          );
        }),
    ]);
    const sink = collector();
    const session = createTranscribeRecognizer({ client }).open(options, sink.listener);
    writeAudio(session, ['agent', 'customer'], 8000, 300);
    await session.end();

    expect(calls).toHaveLength(1);
    const call = calls[0];
    expect(call.header('x-amzn-transcribe-language-code')).toBe('en-US');
    expect(call.header('x-amzn-transcribe-media-encoding')).toBe('pcm');
    expect(call.header('x-amzn-transcribe-sample-rate')).toBe('8000');
    expect(call.header('x-amzn-transcribe-enable-channel-identification')).toBe('true');
    expect(call.header('x-amzn-transcribe-number-of-channels')).toBe('2');
    expect(call.header('x-amzn-transcribe-content-identification-type')).toBe('PII');
    expect(call.header('x-amzn-transcribe-content-redaction-type')).toBeUndefined();
    expect(call.header('x-amzn-transcribe-session-id')).toMatch(/^[0-9a-f-]{36}$/);

    expect(call.audio.map((chunk) => chunk.length)).toEqual([6400, 3200]); // 200 ms chunks, the rest at the end;
    const first = samplesOf(call.audio[0]);
    expect([first[0], first[1], first[2]]).toEqual([
      sampleValue('customer', 8000),
      sampleValue('agent', 8000),
      sampleValue('customer', 8001),
    ]);
    expect(call.endFrame).toBe(true);

    expect(sink.errors).toEqual([]);
    expect(sink.results).toMatchObject([
      { role: 'customer', text: 'Hello.', startMs: 1100, endMs: 1300 },
      { role: 'agent', text: 'Hi', startMs: 1200, endMs: 1400 },
    ]);
  });

  it('maps a LimitExceededException event on the result stream to 5002', async () => {
    const { client } = fakeEndpoint([
      (call) =>
        streaming(call, async function* () {
          await tick(5);
          yield exception('LimitExceededException', 'You have reached your limit of concurrent streams.');
        }),
    ]);
    const sink = collector();
    const session = createTranscribeRecognizer({ client }).open(options, sink.listener);
    writeAudio(session, BOTH, 0, 200);
    await session.end();
    expect(sink.errors.map((e) => [e.role, e.error.statusCode])).toEqual([
      ['customer', 5002],
      ['agent', 5002],
    ]);
  });

  it('retries an HTTP 503 at start under a new session id', async () => {
    const { client, calls } = fakeEndpoint([
      () => httpError(503, 'ServiceUnavailableException', 'Service is currently unavailable.'),
      (call) =>
        streaming(call, async function* () {
          await call.ended;
          yield transcript(final('ch_1', 0, 0.1, [['ok', 0, 0.1]]));
        }),
    ]);
    const sink = collector();
    const session = createTranscribeRecognizer({ client, retryBaseDelayMs: 1 }).open(options, sink.listener);
    writeAudio(session, BOTH, 0, 200);
    await session.end();

    expect(calls).toHaveLength(2);
    const ids = calls.map((call) => call.header('x-amzn-transcribe-session-id'));
    expect(ids[1]).not.toBe(ids[0]);
    expect(calls[1].audio.reduce((sum, chunk) => sum + chunk.length, 0)).toBe(6400);
    expect(sink.errors).toEqual([]);
    expect(sink.results).toMatchObject([{ role: 'agent', text: 'ok', startMs: 0, endMs: 100 }]);
  });

  it('maps a BadRequestException about the language at start to 4050', async () => {
    const { client } = fakeEndpoint([
      () => httpError(400, 'BadRequestException', 'The requested language code is not supported in this region.'),
    ]);
    const sink = collector();
    const session = createTranscribeRecognizer({ client }).open(options, sink.listener);
    writeAudio(session, BOTH, 0, 200);
    await session.end();
    expect(sink.errors.map((e) => e.error.statusCode)).toEqual([4050, 4050]);
  });
});

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
