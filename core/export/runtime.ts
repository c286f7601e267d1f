import { dynamoDbDocumentClient } from '../aws/clients.ts';
import { loadStoreConfig } from '../config/stores.ts';
import { logger } from '../logger.ts';
import { createMessagesStore, type MessagesStore } from '../stores/messages.ts';
import { loadFeedConfig, type FeedConfig } from './config.ts';
import { createExportBucket, type ExportBucket } from './export-bucket.ts';
import { exportDay, type ExportProgress, type ExportSummary } from './export-day.ts';
import { purgeExpiredFeedFiles } from './retention.ts';
import { createS3Client } from './s3-client.ts';
import { startDailySchedule, type DailySchedule } from './schedule.ts';
import { previousUtcDate } from './utc-date.ts';

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
  return createMessagesStore({ client: dynamoDbDocumentClient(), tableName: stores.messagesTable, retentionDays: stores.messageRetentionDays });
}

let runtime: ExportRuntime | undefined;

/** The process-wide runtime, built on first use so the Lambda reads its environment once. */
export function defaultExportRuntime(): ExportRuntime {
  runtime ??= createExportRuntime();
  return runtime;
}

/**
 * For the local runtime (`npm start`): the 02:00 UTC export of the previous day, followed by the
 * retention sweep that S3's lifecycle rule performs in AWS.
 */
export function startLocalFeedSchedule(rt: ExportRuntime = defaultExportRuntime(), options: { now?: () => number } = {}): DailySchedule {
  return startDailySchedule(async (scheduledAt) => {
    // The sweep does not depend on the export, so a failed export does not keep old files around.
    const [exported, purged] = await Promise.allSettled([rt.exportDay(previousUtcDate(scheduledAt)), rt.purgeExpired(options.now?.())]);
    if (exported.status === 'fulfilled') {
      logger.info('scheduled feed export done', { date: exported.value.date, rows: exported.value.rows, files: exported.value.files.length });
    }
    if (exported.status === 'rejected') throw exported.reason;
    if (purged.status === 'rejected') throw purged.reason;
  }, options);
}
