import { z } from 'zod';
import { DEFAULT_TENANT } from '#core/contract/tenant.ts';
import { ConfigError, emptyToUndefined, issuePaths } from '../config/stores.ts';
import { FEED_RETENTION_DAYS } from '#core/contract/export-schedule.ts';

/** Settings of the `utterances` feed shared by the daily export, the retention sweep and the File Exporter endpoints. */
export interface FeedConfig {
  /** EXPORT_BUCKET. */
  bucket: string;
  /** FEED_ROWS_PER_FILE: a new part file starts after this many rows (default 100,000). */
  rowsPerFile: number;
  /** FEED_EXTRA_COLUMNS: append sender_role, sender_external_id, stream_id, start_ms, end_ms (default off). */
  extraColumns: boolean;
  /** FEED_RETENTION_DAYS: files expire and dates stop being listed after this many days (default 32). */
  retentionDays: number;
  /** FEED_URL_EXPIRY_SECONDS: lifetime of getfeedfile's presigned URL (default 900). */
  urlExpirySeconds: number;
  /** FEED_TENANT_PREFIX: key every file under its company_marker, for deployments serving several tenants (default off). */
  tenantPrefix: boolean;
  /** API_TENANT: company_marker of items stored without a tenant. */
  defaultTenant: string;
}

const flag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .default('false')
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const schema = z.object({
  EXPORT_BUCKET: z.string().min(3).max(63),
  FEED_ROWS_PER_FILE: z.coerce.number().int().positive().default(100_000),
  FEED_EXTRA_COLUMNS: flag,
  FEED_RETENTION_DAYS: z.coerce.number().int().positive().max(3650).default(FEED_RETENTION_DAYS),
  // SigV4 presigned URLs are valid for at most 7 days.
  FEED_URL_EXPIRY_SECONDS: z.coerce.number().int().min(1).max(604_800).default(900),
  FEED_TENANT_PREFIX: flag,
});

export function loadFeedConfig(env: NodeJS.ProcessEnv = process.env): FeedConfig {
  const parsed = schema.safeParse({
    EXPORT_BUCKET: emptyToUndefined(env.EXPORT_BUCKET),
    FEED_ROWS_PER_FILE: emptyToUndefined(env.FEED_ROWS_PER_FILE),
    FEED_EXTRA_COLUMNS: emptyToUndefined(env.FEED_EXTRA_COLUMNS)?.toLowerCase(),
    FEED_RETENTION_DAYS: emptyToUndefined(env.FEED_RETENTION_DAYS),
    FEED_URL_EXPIRY_SECONDS: emptyToUndefined(env.FEED_URL_EXPIRY_SECONDS),
    FEED_TENANT_PREFIX: emptyToUndefined(env.FEED_TENANT_PREFIX)?.toLowerCase(),
  });
  if (!parsed.success) throw new ConfigError(`invalid feed configuration: ${issuePaths(parsed.error)}`);
  const c = parsed.data;
  return {
    bucket: c.EXPORT_BUCKET,
    rowsPerFile: c.FEED_ROWS_PER_FILE,
    extraColumns: c.FEED_EXTRA_COLUMNS,
    retentionDays: c.FEED_RETENTION_DAYS,
    urlExpirySeconds: c.FEED_URL_EXPIRY_SECONDS,
    tenantPrefix: c.FEED_TENANT_PREFIX,
    defaultTenant: emptyToUndefined(env.API_TENANT) ?? DEFAULT_TENANT,
  };
}
