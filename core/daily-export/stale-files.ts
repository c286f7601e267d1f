import type { ExportBucket } from './export-bucket.ts';
import { datePrefix, FEED_FORMATS, FEED_NAME, feedRoot } from './feed-layout.ts';

/** The key prefix a row's files go under: the tenant's own when the deployment keys files by tenant. */
export function rootOf(companyMarker: string, tenantPrefix: boolean): string {
  return tenantPrefix ? feedRoot(companyMarker) : '';
}

/**
 * Deletes every object of `date` that the current run did not write: parts beyond the new count,
 * hours that are now empty, or the whole day. With tenant prefixes, tenants present only in earlier
 * runs are found by listing the bucket's top level.
 */
export async function removeStaleFiles(
  bucket: Pick<ExportBucket, 'list' | 'listChildren' | 'delete'>,
  date: string,
  written: ReadonlySet<string>,
  options: { tenantPrefix: boolean; roots: ReadonlySet<string> },
): Promise<string[]> {
  const roots = new Set(options.tenantPrefix ? options.roots : ['']);
  if (options.tenantPrefix) {
    for await (const prefix of bucket.listChildren('')) if (prefix !== `${FEED_NAME}/`) roots.add(prefix);
  }
  const stale: string[] = [];
  for (const root of roots) {
    for (const format of FEED_FORMATS) {
      for await (const object of bucket.list(datePrefix(root, format, date))) if (!written.has(object.key)) stale.push(object.key);
    }
  }
  if (stale.length > 0) await bucket.delete(stale);
  return stale;
}
