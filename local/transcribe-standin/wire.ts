import type { IncomingHttpHeaders } from 'node:http2';
// The AWS SDK's own event-stream codec: the stand-in frames messages exactly as the client parses them.
import { EventStreamCodec } from '@smithy/core/event-streams';
import type { Message, MessageHeaders } from '@smithy/types';

/**
 * Amazon Transcribe streaming's wire format as the AWS SDK speaks it (docs/transcribe-stand-in.md):
 * the request's headers, the signed envelopes around audio events, and the events and exceptions the
 * service answers with. Pure functions over bytes and headers; the server drives them.
 */

const utf8Decoder = new TextDecoder();
const utf8Encoder = new TextEncoder();
export const codec = new EventStreamCodec(
  (bytes: Uint8Array) => utf8Decoder.decode(bytes),
  (text) => utf8Encoder.encode(text),
);

export const EVENT_STREAM_CONTENT_TYPE = 'application/vnd.amazon.eventstream';
const STREAMING_PATH = '/stream-transcription';
const PARAMETER_PREFIX = 'x-amzn-transcribe-';

/** Languages Amazon Transcribe streaming accepts (a subset suffices: what callers of this project send and a few more). */
const STREAMING_LANGUAGES = new Set([
  'en-US',
  'en-GB',
  'en-AU',
  'en-IN',
  'en-IE',
  'en-NZ',
  'en-ZA',
  'es-US',
  'es-ES',
  'fr-FR',
  'fr-CA',
  'de-DE',
  'it-IT',
  'pt-BR',
  'pt-PT',
  'ja-JP',
  'ko-KR',
  'zh-CN',
  'hi-IN',
  'ar-SA',
  'nl-NL',
]);
const MEDIA_ENCODINGS = new Set(['pcm', 'ogg-opus', 'flac']);

/** What a stream was asked to do, from the request headers. */
export interface StreamRequest {
  languageCode: string;
  sampleRate: number;
  mediaEncoding: string;
  /** 2 with channel identification, else 1. */
  channels: number;
  channelIdentification: boolean;
  contentIdentification: string | undefined;
  sessionId: string | undefined;
  /** The custom vocabulary the stream names (`x-amzn-transcribe-vocabulary-name`). */
  vocabularyName: string | undefined;
  /** Every `x-amzn-transcribe-*` header, echoed in the response as the service does. */
  parameters: Record<string, string>;
  /** The SigV4 credential scope's access key id (never the signature). */
  accessKeyId: string;
}

/** A request the service refuses before streaming: HTTP status, error type and message. */
export interface RequestRejection {
  status: number;
  errorType: string;
  message: string;
}

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([A-Za-z0-9]{1,128})\/(\d{8})\/([a-z0-9-]{1,32})\/transcribe\/aws4_request, ?SignedHeaders=(:?[a-z0-9-]+(?:;:?[a-z0-9-]+)*), ?Signature=[0-9a-f]{64}$/;
const AMZ_DATE = /^(\d{8})T\d{6}Z$/;

/**
 * Checks a `StartStreamTranscription` request as the service would, short of verifying the signature
 * (that needs the secret key): method, path, content type, SigV4 headers present and well formed,
 * parameters within the API's ranges.
 */
export function parseStreamRequest(headers: IncomingHttpHeaders): StreamRequest | RequestRejection {
  if (headers[':method'] !== 'POST' || headers[':path'] !== STREAMING_PATH) {
    return { status: 404, errorType: 'UnknownOperationException', message: `no operation at ${headers[':method']} ${headers[':path']}` };
  }
  const authorization = one(headers.authorization);
  const amzDate = one(headers['x-amz-date']);
  const match = authorization ? AUTHORIZATION.exec(authorization) : null;
  const date = amzDate ? AMZ_DATE.exec(amzDate) : null;
  if (!match || !date) {
    return {
      status: 403,
      errorType: 'MissingAuthenticationTokenException',
      message: 'missing or malformed SigV4 authorization or x-amz-date',
    };
  }
  if (match[2] !== date[1]) {
    return { status: 403, errorType: 'InvalidSignatureException', message: 'credential scope date differs from x-amz-date' };
  }
  const signed = match[4].split(';');
  for (const required of ['x-amz-date', 'x-amz-content-sha256']) {
    if (!signed.includes(required)) return { status: 403, errorType: 'InvalidSignatureException', message: `${required} is not signed` };
  }
  if (one(headers['x-amz-content-sha256']) !== 'STREAMING-AWS4-HMAC-SHA256-EVENTS') {
    return {
      status: 403,
      errorType: 'InvalidSignatureException',
      message: 'x-amz-content-sha256 must be STREAMING-AWS4-HMAC-SHA256-EVENTS',
    };
  }
  if (one(headers['content-type']) !== EVENT_STREAM_CONTENT_TYPE) {
    return badRequest(`content-type must be ${EVENT_STREAM_CONTENT_TYPE}`);
  }

  const parameters: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith(PARAMETER_PREFIX) && typeof value === 'string') parameters[name] = value.slice(0, 256);
  }
  const parameter = (name: string): string | undefined => parameters[PARAMETER_PREFIX + name];

  const languageCode = parameter('language-code');
  if (!languageCode)
    return badRequest('a language code is required (x-amzn-transcribe-language-code); language identification is not supported here');
  if (!STREAMING_LANGUAGES.has(languageCode))
    return badRequest(`1 validation error: languageCode '${languageCode}' is not a supported language`);
  const sampleRate = Number(parameter('sample-rate'));
  if (!Number.isInteger(sampleRate) || sampleRate < 8000 || sampleRate > 48000) {
    return badRequest('1 validation error: mediaSampleRateHertz must be an integer from 8000 to 48000');
  }
  const mediaEncoding = parameter('media-encoding') ?? '';
  if (!MEDIA_ENCODINGS.has(mediaEncoding))
    return badRequest(`1 validation error: mediaEncoding '${mediaEncoding}' is not one of pcm, ogg-opus, flac`);
  const channelIdentification = parameter('enable-channel-identification') === 'true';
  const numberOfChannels = parameter('number-of-channels');
  if (channelIdentification !== (numberOfChannels !== undefined)) {
    return badRequest('channel identification and number of channels must be given together');
  }
  if (numberOfChannels !== undefined && numberOfChannels !== '2') return badRequest('number of channels must be 2');
  const contentIdentification = parameter('content-identification-type');
  if (contentIdentification !== undefined && contentIdentification !== 'PII')
    return badRequest(`content identification type '${contentIdentification}' is not PII`);
  if (contentIdentification && parameter('content-redaction-type'))
    return badRequest('content identification and content redaction cannot both be set');
  const sessionId = parameter('session-id');
  if (sessionId !== undefined && !/^[a-fA-F0-9]{8}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{12}$/.test(sessionId)) {
    return badRequest('session id must be a UUID');
  }
  const vocabularyName = parameter('vocabulary-name');
  if (vocabularyName !== undefined && !/^[0-9a-zA-Z._-]{1,200}$/.test(vocabularyName))
    return badRequest('1 validation error: vocabularyName must match [0-9a-zA-Z._-]{1,200}');
  return {
    vocabularyName,
    languageCode,
    sampleRate,
    mediaEncoding,
    channels: channelIdentification ? 2 : 1,
    channelIdentification,
    contentIdentification,
    sessionId,
    parameters,
    accessKeyId: match[1],
  };
}

function badRequest(message: string): RequestRejection {
  return { status: 400, errorType: 'BadRequestException', message };
}

function one(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Cuts the request body into whole event-stream messages: they arrive split across HTTP/2 DATA frames
 * or several in one. Each message starts with its own total length.
 */
export class MessageReader {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(private readonly maxMessageBytes: number) {}

  /** Returns the messages completed by `chunk`; throws on a length no valid message has. */
  push(chunk: Buffer): Uint8Array[] {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    const messages: Uint8Array[] = [];
    while (this.pendingBytes >= 4) {
      const head = this.pending[0].length >= 4 ? this.pending[0] : this.flatten();
      const length = head.readUInt32BE(0);
      if (length < 16 || length > this.maxMessageBytes) throw new WireError(`event-stream message length ${length} out of range`);
      if (this.pendingBytes < length) break;
      const all = this.flatten();
      messages.push(all.subarray(0, length));
      const rest = all.subarray(length);
      this.pending = rest.length > 0 ? [rest] : [];
      this.pendingBytes = rest.length;
    }
    return messages;
  }

  /** Bytes received but not yet a whole message (a body ending here was cut short). */
  get leftover(): number {
    return this.pendingBytes;
  }

  private flatten(): Buffer {
    if (this.pending.length > 1) this.pending = [Buffer.concat(this.pending, this.pendingBytes)];
    return this.pending[0];
  }
}

class WireError extends Error {
  override name = 'WireError';
}

/** What one client message carried: audio, or the end of audio (an envelope with an empty payload). */
export type ClientEvent = { kind: 'audio'; audio: Uint8Array } | { kind: 'end' };

/**
 * Unwraps one signed envelope. The envelope's `:date` and 32-byte `:chunk-signature` are checked for
 * shape (the chain of signatures cannot be verified without the secret); its payload is the
 * `AudioEvent` message, or nothing at the end of the audio.
 */
export function readClientMessage(bytes: Uint8Array): ClientEvent {
  const envelope = decode(bytes);
  const date = envelope.headers[':date'];
  const signature = envelope.headers[':chunk-signature'];
  if (date?.type !== 'timestamp') throw new WireError('signed envelope without a :date timestamp header');
  if (signature?.type !== 'binary' || signature.value.length !== 32)
    throw new WireError('signed envelope without a 32-byte :chunk-signature');
  if (envelope.body.length === 0) return { kind: 'end' };
  const event = decode(envelope.body);
  const type = event.headers[':message-type']?.value;
  const eventType = event.headers[':event-type']?.value;
  if (type !== 'event' || eventType !== 'AudioEvent')
    throw new WireError(`unexpected ${String(type)} ${String(eventType)} in the audio stream`);
  const contentType = event.headers[':content-type']?.value;
  if (contentType !== 'application/octet-stream') throw new WireError(`AudioEvent content type ${String(contentType)}`);
  return { kind: 'audio', audio: event.body };
}

function decode(bytes: Uint8Array): Message {
  try {
    return codec.decode(bytes);
  } catch (error) {
    throw new WireError(`malformed event-stream message: ${(error as Error).message}`);
  }
}

/** One Transcribe `Result` as the service serializes it. */
export interface TranscriptResult {
  ResultId: string;
  StartTime: number;
  EndTime: number;
  IsPartial: boolean;
  ChannelId?: string;
  Alternatives: Array<{
    Transcript: string;
    Items: Array<{
      Type: 'pronunciation' | 'punctuation';
      Content: string;
      StartTime: number;
      EndTime: number;
      Confidence?: number;
      Stable?: boolean;
    }>;
    Entities?: Array<{ Category: string; Type: string; Content: string; StartTime: number; EndTime: number; Confidence: number }>;
  }>;
}

const string = (value: string) => ({ type: 'string' as const, value });

export function transcriptEventMessage(results: TranscriptResult[]): Uint8Array {
  return encode(
    { ':message-type': string('event'), ':event-type': string('TranscriptEvent'), ':content-type': string('application/json') },
    { Transcript: { Results: results } },
  );
}

export function exceptionMessage(exceptionType: string, message: string): Uint8Array {
  return encode(
    { ':message-type': string('exception'), ':exception-type': string(exceptionType), ':content-type': string('application/json') },
    { Message: message },
  );
}

function encode(headers: MessageHeaders, payload: unknown): Uint8Array {
  return codec.encode({ headers, body: utf8Encoder.encode(JSON.stringify(payload)) });
}
