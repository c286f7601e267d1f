/**
 * Where the `utterances` feed lives in the exports bucket (docs/api-contract.md §5.5):
 * `[<tenant>/]utterances/version=1/format=<fmt>/dt=YYYY-MM-DD/hr=HH/part-NNNN.<fmt>`.
 * The exporter writes these keys and the File Exporter endpoints read them back, so both build them here.
 */
export const FEED_NAME = 'utterances';
export const FEED_VERSION = '1';
export const FEED_FORMATS = ['jsonl', 'csv'] as const;
export type FeedFormat = (typeof FEED_FORMATS)[number];

export const HOURS_PER_DAY = 24;
/** Names of part files; the number has at least four digits and grows past 9999 rather than wrapping. */
export const PART_FILE_PATTERN = /^part-(\d{4,})\.(jsonl|csv)$/;

export function isFeedFormat(value: string): value is FeedFormat {
  return (FEED_FORMATS as readonly string[]).includes(value);
}

/**
 * Key prefix of one tenant's feeds: empty for a single-tenant deployment, the URI-encoded tenant
 * otherwise, so a tenant id can never add path segments.
 */
export function feedRoot(tenant: string | undefined): string {
  return tenant === undefined ? '' : `${encodeURIComponent(tenant)}/`;
}

export function formatPrefix(root: string, format: FeedFormat): string {
  return `${root}${FEED_NAME}/version=${FEED_VERSION}/format=${format}/`;
}

export function datePrefix(root: string, format: FeedFormat, date: string): string {
  return `${formatPrefix(root, format)}dt=${date}/`;
}

/** `hr=HH`: the interval name of the API and the key segment alike. */
export function intervalName(hour: number): string {
  if (!Number.isInteger(hour) || hour < 0 || hour >= HOURS_PER_DAY) throw new RangeError('hour out of range');
  return `hr=${String(hour).padStart(2, '0')}`;
}

export function hourPrefix(root: string, format: FeedFormat, date: string, hour: number): string {
  return `${datePrefix(root, format, date)}${intervalName(hour)}/`;
}

export function partFileName(part: number, format: FeedFormat): string {
  return `part-${String(part).padStart(4, '0')}.${format}`;
}

export function partKey(root: string, format: FeedFormat, date: string, hour: number, part: number): string {
  return `${hourPrefix(root, format, date, hour)}${partFileName(part, format)}`;
}

export const CONTENT_TYPES: Record<FeedFormat, string> = {
  jsonl: 'application/x-ndjson; charset=utf-8',
  csv: 'text/csv; charset=utf-8; header=present',
};
