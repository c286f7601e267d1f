import { dynamoDbDocumentClient } from '../aws/clients.ts';
import { loadStoreConfig } from '../config/stores.ts';
import { createMessagesStore, type MessagesStore } from '../stores/messages.ts';
import { loadFeedConfig, type FeedConfig } from './config.ts';
import { createExportBucket, type ExportBucket } from './export-bucket.ts';
import { exportDay, type ExportProgress, type ExportSummary } from './export-day.ts';
import { purgeExpiredFeedFiles } from './retention.ts';
import { createS3Client } from './s3-client.ts';

/** The daily export wired from the environment: used by the Lambda, `npm run export` and the local scheduler. */
export interface ExportRuntime {
  config: FeedConfig;
  bucket: ExportBucket;
  exportDay(date: string, options?: { onProgress?: (progress: ExportProgress) => void; progressEvery?: number }): Promise<ExportSummary>;
  /** The local equivalent of the bucket's lifecycle rule. */
  purgeExpired(nowMs?: number): Promise<string[]>;
}

/** A batch job may wait longer on one part upload than an API request may. */
const EXPORT_REQUEST_TIMEOUT_MS = 60_000;

export function createExportRuntime(
  env: NodeJS.ProcessEnv = process.env,
  deps: { messages?: Pick<MessagesStore, 'queryHour'>; bucket?: ExportBucket } = {},
): ExportRuntime {
  const config = loadFeedConfig(env);
  const messages = deps.messages ?? messagesFromEnv(env);
  const bucket = deps.bucket ?? createExportBucket(createS3Client({ requestTimeoutMs: EXPORT_REQUEST_TIMEOUT_MS }, env), config.bucket);
  return {
    config,
    bucket,
    exportDay: (date, options = {}) => exportDay({ date, source: messages, bucket, config, ...options }),
    purgeExpired: (nowMs) => purgeExpiredFeedFiles(bucket, { retentionDays: config.retentionDays, now: nowMs }),
  };
}

function messagesFromEnv(env: NodeJS.ProcessEnv): MessagesStore {
  const stores = loadStoreConfig(env);
  return createMessagesStore({
    client: dynamoDbDocumentClient(),
    tableName: stores.messagesTable,
    retentionDays: stores.messageRetentionDays,
  });
}

let runtime: ExportRuntime | undefined;

/** The process-wide runtime, built on first use so the Lambda reads its environment once. */
export function defaultExportRuntime(): ExportRuntime {
  runtime ??= createExportRuntime();
  return runtime;
}
