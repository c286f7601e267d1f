import { logger } from '../logger.ts';
import type { ExportBucket } from './export-bucket.ts';
import { addDays, utcDateOf } from './utc-date.ts';

/**
 * Feed files are kept FEED_RETENTION_DAYS (32) days (docs/api-contract.md §5.4). In AWS an S3 lifecycle
 * rule expires them; lifecycle expiry is asynchronous, so the list endpoints also hide older dates.
 */
const DAY_MS = 86_400_000;

/** The oldest date the list endpoints still show on the day containing `nowMs`. */
export function oldestListedDate(nowMs: number, retentionDays: number): string {
  return addDays(utcDateOf(nowMs), -retentionDays);
}

export function isListedDate(date: string, nowMs: number, retentionDays: number): boolean {
  return date >= oldestListedDate(nowMs, retentionDays);
}

/**
 * The lifecycle rule's local equivalent, run by the local runtime's scheduler: deletes every object of
 * the bucket last written more than `retentionDays` ago, as the rule's `Expiration: Days` does.
 */
export async function purgeExpiredFeedFiles(
  bucket: Pick<ExportBucket, 'list' | 'delete'>,
  options: { retentionDays: number; now?: number },
): Promise<string[]> {
  const cutoff = (options.now ?? Date.now()) - options.retentionDays * DAY_MS;
  const expired: string[] = [];
  for await (const object of bucket.list('')) {
    if (object.lastModified && object.lastModified.getTime() < cutoff) expired.push(object.key);
  }
  if (expired.length > 0) await bucket.delete(expired);
  logger.info('expired feed files purged', { deleted: expired.length, retentionDays: options.retentionDays });
  return expired;
}
