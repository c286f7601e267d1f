import { logger } from '../logger.ts';
import { HOUR_SHARD_COUNT } from '../stores/hour-shard.ts';
import type { MessagesStore } from '../stores/messages.ts';
import type { FeedConfig } from './config.ts';
import type { ExportBucket } from './export-bucket.ts';
import { feedEncoder } from './feed-encoder.ts';
import { FEED_FORMATS, HOURS_PER_DAY } from './feed-layout.ts';
import { toFeedRow } from './feed-row.ts';
import { PartWriter, type WrittenFile } from './part-writer.ts';
import { DEFAULT_READ_AHEAD, mergeByMessageId } from './shard-merge.ts';
import { removeStaleFiles, rootOf } from './stale-files.ts';
import { isUtcDate } from './utc-date.ts';

/**
 * The export of one UTC day (docs/api-contract.md §5.3–5.4): every message whose `createdTimestamp` falls in
 * the day, read hour by hour through the `byHour` index (the 16 shards of an hour concurrently), written
 * as JSON Lines and CSV part files under the hour's partition. Files of the day that this run did not
 * write are deleted afterwards, so a re-run replaces the day and an empty day ends with no files.
 */
export interface ExportDayInput {
  date: string;
  source: Pick<MessagesStore, 'queryHour'>;
  bucket: Pick<ExportBucket, 'open' | 'list' | 'listChildren' | 'delete'>;
  config: Pick<FeedConfig, 'rowsPerFile' | 'extraColumns' | 'tenantPrefix' | 'defaultTenant'>;
  /** Called at the end of every hour and every `progressEvery` rows. */
  onProgress?: (progress: ExportProgress) => void;
  progressEvery?: number;
  /** Items each shard reads ahead of the merge. */
  readAhead?: number;
  now?: () => number;
}

export interface ExportProgress {
  date: string;
  /** Hour being written (0–23). */
  hour: number;
  rows: number;
  hourDone: boolean;
}

export interface ExportSummary {
  date: string;
  rows: number;
  /** Files written, in key order. */
  files: WrittenFile[];
  /** Keys of earlier runs that this run removed. */
  deleted: string[];
  /** Items the index placed in this day whose timestamp says otherwise; logged, not exported. */
  misplaced: number;
  durationMs: number;
}

export async function exportDay(input: ExportDayInput): Promise<ExportSummary> {
  const { date, source, bucket, config } = input;
  if (!isUtcDate(date)) throw new RangeError('date must be YYYY-MM-DD');
  const now = input.now ?? Date.now;
  const startedAt = now();
  const progressEvery = input.progressEvery ?? 100_000;
  const encoders = FEED_FORMATS.map((format) => ({ format, encoder: feedEncoder(format, config.extraColumns) }));
  const files: WrittenFile[] = [];
  const roots = new Set<string>();
  let rows = 0;
  let misplaced = 0;

  for (let hour = 0; hour < HOURS_PER_DAY; hour++) {
    const hh = String(hour).padStart(2, '0');
    const shards = Array.from({ length: HOUR_SHARD_COUNT }, (_, shard) => source.queryHour(`${date}T${hh}`, shard));
    const writers = new Map<string, PartWriter[]>();
    try {
      for await (const message of mergeByMessageId(shards, input.readAhead ?? DEFAULT_READ_AHEAD)) {
        const row = toFeedRow(message, config);
        if (!row || row.dt !== date || row.hr !== hh) {
          misplaced += 1;
          logger.warn('message indexed under another hour; not exported', { date, hour, messageId: message.messageId });
          continue;
        }
        const root = rootOf(row.company_marker, config.tenantPrefix);
        let formats = writers.get(root);
        if (!formats) {
          formats = encoders.map(
            ({ format, encoder }) =>
              new PartWriter({ root, format, date, hour, rowsPerFile: config.rowsPerFile, encoder, open: bucket.open }),
          );
          writers.set(root, formats);
          roots.add(root);
        }
        for (const writer of formats) {
          const accepted = writer.add(row);
          if (accepted) await accepted;
        }
        rows += 1;
        if (rows % progressEvery === 0) input.onProgress?.({ date, hour, rows, hourDone: false });
      }
      const closed = await Promise.all([...writers.values()].flat().map((w) => w.close()));
      files.push(...closed.flat());
    } catch (error) {
      await Promise.allSettled([...writers.values()].flat().map((w) => w.abort()));
      throw error;
    }
    input.onProgress?.({ date, hour, rows, hourDone: true });
  }

  files.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const deleted = await removeStaleFiles(bucket, date, new Set(files.map((f) => f.key)), { tenantPrefix: config.tenantPrefix, roots });
  const summary = { date, rows, files, deleted, misplaced, durationMs: now() - startedAt };
  logger.info('feed export finished', {
    date,
    rows,
    files: files.length,
    deleted: deleted.length,
    misplaced,
    durationMs: summary.durationMs,
  });
  return summary;
}
