import type { ExportBucket } from '../daily-export/export-bucket.ts';
import { datePrefix, formatPrefix, hourPrefix, PART_FILE_PATTERN, type FeedFormat } from '../daily-export/feed-layout.ts';
import { isUtcDate } from '../daily-export/utc-date.ts';

/**
 * What exists in the feed, read from the bucket's key layout (docs/api-contract.md §5.5): each level is a
 * `ListObjectsV2` with `Delimiter="/"` on the prefix built so far, `key=` stripped to give the bare
 * values. Only levels holding at least one file appear, since S3 has no empty folders.
 */
export type CatalogBucket = Pick<ExportBucket, 'list' | 'listChildren' | 'exists' | 'presignGet'>;

export interface FeedFile {
  hour: number;
  part: number;
  /** `part-0000.jsonl`. */
  name: string;
  key: string;
}

const DATE_SEGMENT = /^dt=(\d{4}-\d{2}-\d{2})\/$/;
const HOUR_SEGMENT = /^hr=(\d{2})\/$/;
const FILE_IN_HOUR = /^hr=(\d{2})\/(part-\d{4,}\.[a-z]+)$/;

/** Dates with files, ascending. */
export async function listDates(bucket: CatalogBucket, root: string, format: FeedFormat): Promise<string[]> {
  const prefix = formatPrefix(root, format);
  const dates: string[] = [];
  for await (const child of bucket.listChildren(prefix)) {
    const date = DATE_SEGMENT.exec(child.slice(prefix.length))?.[1];
    if (date && isUtcDate(date)) dates.push(date);
  }
  return dates.sort();
}

/** Hours of a date with files, ascending. */
export async function listHours(bucket: CatalogBucket, root: string, format: FeedFormat, date: string): Promise<number[]> {
  const prefix = datePrefix(root, format, date);
  const hours: number[] = [];
  for await (const child of bucket.listChildren(prefix)) {
    const hour = HOUR_SEGMENT.exec(child.slice(prefix.length))?.[1];
    if (hour !== undefined && Number(hour) < 24) hours.push(Number(hour));
  }
  return hours.sort((a, b) => a - b);
}

/** Part files of a date, or of one hour of it, in (hour, part) order. */
export async function listFiles(bucket: CatalogBucket, root: string, format: FeedFormat, date: string, hour?: number): Promise<FeedFile[]> {
  const prefix = datePrefix(root, format, date);
  const files: FeedFile[] = [];
  for await (const { key } of bucket.list(hour === undefined ? prefix : hourPrefix(root, format, date, hour))) {
    const match = FILE_IN_HOUR.exec(key.slice(prefix.length));
    const name = match?.[2];
    const part = name ? PART_FILE_PATTERN.exec(name) : null;
    if (!match || !name || !part || part[2] !== format) continue;
    files.push({ hour: Number(match[1]), part: Number(part[1]), name, key });
  }
  return files.sort((a, b) => a.hour - b.hour || a.part - b.part);
}

/**
 * The key of a file named as `listfeedfiles` names it: bare (`part-0000.jsonl`) within an interval, or
 * prefixed with its interval (`hr=13/part-0000.jsonl`) for a whole day, which is also accepted when the
 * interval is given and agrees. Undefined for any other name.
 */
export function fileKey(root: string, format: FeedFormat, date: string, fileName: string, hour?: number): string | undefined {
  const prefixed = FILE_IN_HOUR.exec(fileName);
  const fileHour = prefixed ? Number(prefixed[1]) : hour;
  const name = prefixed ? prefixed[2] : fileName;
  if (fileHour === undefined || fileHour > 23 || (hour !== undefined && fileHour !== hour)) return undefined;
  const part = PART_FILE_PATTERN.exec(name);
  if (!part || part[2] !== format) return undefined;
  return `${hourPrefix(root, format, date, fileHour)}${name}`;
}
