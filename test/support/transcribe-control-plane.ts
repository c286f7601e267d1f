import type { AddressInfo } from 'node:net';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/**
 * A test server for Amazon Transcribe's control plane as far as custom vocabularies go, speaking the
 * service's own wire protocol (AWS JSON 1.1: `POST /`, `X-Amz-Target: Transcribe.<Operation>`, JSON
 * bodies, errors as `{"__type", "message"}` with `x-amzn-errortype`), so the real SDK client talks to it
 * unchanged through AWS_ENDPOINT_URL_TRANSCRIBE. There is no emulator of this API on npm; what it models
 * of the service is stated here and nothing more: names and phrases are validated as the API documents
 * them, a new vocabulary is PENDING until the test calls `build()` (READY) or `fail()`, a name that
 * exists already is a ConflictException, an unknown one a BadRequestException ("couldn't be found", as
 * the service answers GetVocabulary), and `outage` answers every request with a 503.
 */

interface Vocabulary {
  VocabularyName: string;
  LanguageCode: string;
  VocabularyState: 'PENDING' | 'READY' | 'FAILED';
  LastModifiedTime: number;
  FailureReason?: string;
  Phrases: string[];
}

const NAME = /^[0-9a-zA-Z._-]{1,200}$/;
const PHRASE = /^[^\s]{1,256}$/;

export class TranscribeControlPlane {
  readonly vocabularies = new Map<string, Vocabulary>();
  /** Operations received, in order (`Transcribe.CreateVocabulary`, …). */
  readonly calls: string[] = [];
  /** Every request answers 503 ServiceUnavailableException while set. */
  outage = false;
  now: () => number = Date.now;
  private readonly server: Server;
  url = '';

  private constructor() {
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  static async start(): Promise<TranscribeControlPlane> {
    const plane = new TranscribeControlPlane();
    await new Promise<void>((resolve) => plane.server.listen(0, '127.0.0.1', resolve));
    plane.url = `http://127.0.0.1:${(plane.server.address() as AddressInfo).port}`;
    return plane;
  }

  /** Transcribe finished building every PENDING vocabulary. */
  build(): void {
    for (const v of this.vocabularies.values()) if (v.VocabularyState === 'PENDING') v.VocabularyState = 'READY';
  }

  fail(name: string, reason: string): void {
    const v = this.vocabularies.get(name);
    if (v) Object.assign(v, { VocabularyState: 'FAILED', FailureReason: reason });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const target = String(req.headers['x-amz-target'] ?? '');
    this.calls.push(target);
    if (
      req.method !== 'POST' ||
      req.headers['content-type'] !== 'application/x-amz-json-1.1' ||
      !/^AWS4-HMAC-SHA256 /.test(String(req.headers.authorization))
    )
      return error(res, 400, 'SerializationException', 'not an AWS JSON 1.1 request signed with SigV4');
    if (this.outage) return error(res, 503, 'ServiceUnavailableException', 'Service is unavailable');
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
    } catch {
      return error(res, 400, 'SerializationException', 'body is not JSON');
    }
    const name = typeof body.VocabularyName === 'string' ? body.VocabularyName : '';
    switch (target) {
      case 'Transcribe.CreateVocabulary': {
        if (!NAME.test(name)) return error(res, 400, 'BadRequestException', 'invalid VocabularyName');
        const phrases = body.Phrases;
        if (!Array.isArray(phrases) || phrases.length === 0 || !phrases.every((p) => typeof p === 'string' && PHRASE.test(p)))
          return error(res, 400, 'BadRequestException', 'Phrases must be words joined by hyphens, no spaces');
        if (this.vocabularies.has(name)) return error(res, 400, 'ConflictException', 'The requested vocabulary name already exists.');
        const v: Vocabulary = {
          VocabularyName: name,
          LanguageCode: String(body.LanguageCode),
          VocabularyState: 'PENDING',
          LastModifiedTime: this.now() / 1000,
          Phrases: phrases as string[],
        };
        this.vocabularies.set(name, v);
        return json(res, {
          VocabularyName: name,
          LanguageCode: v.LanguageCode,
          VocabularyState: v.VocabularyState,
          LastModifiedTime: v.LastModifiedTime,
        });
      }
      case 'Transcribe.GetVocabulary': {
        const v = this.vocabularies.get(name);
        if (!v)
          return error(
            res,
            400,
            'BadRequestException',
            "The requested vocabulary couldn't be found. Check the vocabulary name and try your request again.",
          );
        const { Phrases: _phrases, ...shown } = v;
        return json(res, shown);
      }
      case 'Transcribe.ListVocabularies': {
        const contains = typeof body.NameContains === 'string' ? body.NameContains.toLowerCase() : '';
        const found = [...this.vocabularies.values()].filter((v) => v.VocabularyName.toLowerCase().includes(contains));
        return json(res, {
          Vocabularies: found.map((v) => ({
            VocabularyName: v.VocabularyName,
            LanguageCode: v.LanguageCode,
            LastModifiedTime: v.LastModifiedTime,
            VocabularyState: v.VocabularyState,
          })),
        });
      }
      case 'Transcribe.DeleteVocabulary': {
        if (!this.vocabularies.delete(name)) return error(res, 400, 'NotFoundException', "The requested vocabulary couldn't be found.");
        return json(res, {});
      }
      default:
        return error(res, 400, 'UnknownOperationException', `unknown operation ${target}`);
    }
  }
}

function json(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
  res.end(JSON.stringify(body));
}

function error(res: ServerResponse, status: number, type: string, message: string): void {
  res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': type });
  res.end(JSON.stringify({ __type: type, message }));
}
