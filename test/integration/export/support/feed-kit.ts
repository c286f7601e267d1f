import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { ulid } from 'ulid';
import { dynamoDbDocumentClient } from '#core/aws/clients.ts';
import type { RedactionOutput } from '#core/domain/transcription.ts';
import type { Utterance } from '#core/domain/utterance.ts';
import { ensureBucket } from '#core/daily-export/export-bucket.ts';
import { createExportRuntime, type ExportRuntime } from '#core/daily-export/runtime.ts';
import { createS3Client } from '#core/daily-export/s3-client.ts';
import { createMessagesStore, type MessagesStore } from '#core/stores/messages.ts';
import { createFileExporterHandler } from '#lambdas/file-exporter/handler.ts';
import { createFileExporterRuntime } from '#lambdas/file-exporter/runtime.ts';
import type { ApiHandler } from '#lambdas/shared/api-handler.ts';
import { createApiRuntime } from '#lambdas/shared/runtime.ts';
import { parseCsvObjects } from '#test/unit/export/support/rfc4180.ts';
import { call, configureApiEnv, type Called, type Caller } from '#test/integration/api/api-test-kit.ts';

/** Shared set-up of the feed integration tests: a bucket per scenario, the real stores, handlers and downloads. */
export const FEED_PATH = '/fileexporter/v1/static';

export interface FeedWorld {
  bucket: string;
  env: NodeJS.ProcessEnv;
  messages: MessagesStore;
  exporter: ExportRuntime;
  fileExporter: ApiHandler;
}

/** A fresh bucket and runtimes over it; `now` fixes the File Exporter's clock (retention). Call once the emulators run. */
export async function feedWorld(options: { env?: Record<string, string>; now?: number } = {}): Promise<FeedWorld> {
  configureApiEnv();
  const bucket = `feed-${randomBytes(4).toString('hex')}`;
  const env: NodeJS.ProcessEnv = { ...process.env, EXPORT_BUCKET: bucket, ...options.env };
  await ensureBucket(createS3Client(), bucket);
  const messages = createMessagesStore({ client: dynamoDbDocumentClient(), tableName: env.MESSAGES_TABLE!, retentionDays: 7 });
  const exporter = createExportRuntime(env);
  const runtime = createFileExporterRuntime(env, () => createApiRuntime(env));
  const { now } = options;
  const fileExporter = createFileExporterHandler(() =>
    now === undefined ? runtime : { ...runtime, feed: { ...runtime.feed, now: () => now } },
  );
  return { bucket, env, messages, exporter, fileExporter };
}

export interface CallSpec {
  guid: string;
  tenant?: string;
  redactionOutput?: RedactionOutput;
}

const RAW_TEXTS = [
  'Hi, my account PIN is 1234, can you check my balance?',
  'Sure. Your card ending 4111 1111 1111 1111 says "active".',
  'Line one\nline two, with a comma',
  'Ünïcödé — naïve café ✓ 😀',
  '"Quoted" from start to end"',
  '  leading and trailing spaces  ',
  'CR\rinside and CRLF\r\ninside',
  'separator \u2028 inside',
];

/** A stand-in for the redactor's output: digits masked with `#`. */
function masked(raw: string): string {
  return raw.replace(/\d/g, '#');
}

/** Stores one utterance through the real writer (putUtterance computes the hour shard). */
export async function storeUtterance(messages: MessagesStore, createdTimestamp: string, spec: CallSpec, index: number): Promise<Utterance> {
  const raw = RAW_TEXTS[index % RAW_TEXTS.length];
  const role = index % 2 === 0 ? 'customer' : 'agent';
  const utterance: Utterance = {
    conversationId: spec.guid.toLowerCase(),
    externalConversationId: spec.guid,
    messageId: ulid(Date.parse(createdTimestamp)),
    streamId: `${spec.guid.slice(0, 8)}-${role}`,
    role,
    externalId: role === 'customer' ? 'CUST-1' : 'AGENT-1',
    startMs: index * 1000,
    endMs: index * 1000 + 900,
    maskedText: masked(raw),
    rawText: raw,
    redactionOutput: spec.redactionOutput ?? 'redacted',
    clientTimestamp: createdTimestamp,
    createdTimestamp,
    tenant: spec.tenant ?? 'acme',
  };
  await messages.putUtterance(utterance);
  return utterance;
}

/** The row the contract says an utterance becomes, written out independently of the exporter's code. */
export function expectedRow(u: Utterance): Record<string, string> {
  const ts = new Date(Date.parse(u.createdTimestamp)).toISOString();
  return {
    conversation_id: u.conversationId,
    message_id: u.messageId,
    instance_ts: `${ts.slice(0, 13)}:00:00.000Z`,
    chat_message_event_ts: ts,
    external_conversation_id: u.externalConversationId,
    utterance: u.redactionOutput === 'unredacted' ? u.rawText : u.maskedText,
    company_marker: u.tenant,
    dt: ts.slice(0, 10),
    hr: ts.slice(11, 13),
  };
}

export function feedCall(
  world: FeedWorld,
  endpoint: string,
  body: unknown,
  options: { as?: Caller | null; slash?: boolean } = {},
): Promise<Called> {
  return call(world.fileExporter, { path: `${FEED_PATH}/${endpoint}${options.slash ? '/' : ''}`, body, as: options.as });
}

export async function ok(world: FeedWorld, endpoint: string, body: unknown, as?: Caller): Promise<any> {
  const result = await feedCall(world, endpoint, body, { as });
  expect(result.status, JSON.stringify(result.body)).toBe(200);
  return result.body;
}

export interface DownloadedFile {
  /** As listfeedfiles names it for a whole day: `hr=HH/part-NNNN.<fmt>`. */
  name: string;
  text: string;
  rows: Record<string, string>[];
  contentType: string | null;
}

/** Lists a day through the endpoints and downloads every file through its presigned URL with plain fetch. */
export async function downloadDay(world: FeedWorld, format: 'jsonl' | 'csv', date: string, as?: Caller): Promise<DownloadedFile[]> {
  const listed = await ok(world, 'listfeedfiles', { feed: 'utterances', version: '1', format, date }, as);
  const files: DownloadedFile[] = [];
  for (const name of listed.files as string[]) {
    const { url } = await ok(world, 'getfeedfile', { feed: 'utterances', version: '1', format, date, fileName: name }, as);
    const response = await fetch(url);
    expect(response.status).toBe(200);
    const text = await response.text();
    files.push({ name, text, rows: parseRows(format, text), contentType: response.headers.get('content-type') });
  }
  return files;
}

function parseRows(format: 'jsonl' | 'csv', text: string): Record<string, string>[] {
  if (format === 'csv') return parseCsvObjects(text).rows;
  expect(text.endsWith('\n')).toBe(true);
  return text
    .slice(0, -1)
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, string>);
}
