import { z } from 'zod';
import { ConfigError, emptyToUndefined, issuePaths } from '../config/stores.ts';

/** Settings of the recordings route (the gateway reads CALL_RECORDING and RECORDINGS_BUCKET itself). */
export interface RecordingsConfig {
  /** RECORDINGS_BUCKET; absent when the deployment does not record (the route lists nothing). */
  bucket?: string;
  /** RECORDING_RETENTION_DAYS: the bucket's lifecycle deletes recordings after this many days (default 7); older ones are never listed. */
  retentionDays: number;
  /** RECORDING_URL_EXPIRY_SECONDS: lifetime of each presigned download URL (default 900). */
  urlExpirySeconds: number;
}

const schema = z.object({
  RECORDINGS_BUCKET: z.string().min(3).max(63).optional(),
  RECORDING_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(7),
  // SigV4 presigned URLs are valid for at most 7 days.
  RECORDING_URL_EXPIRY_SECONDS: z.coerce.number().int().min(1).max(604_800).default(900),
});

export function loadRecordingsConfig(env: NodeJS.ProcessEnv = process.env): RecordingsConfig {
  const parsed = schema.safeParse({
    RECORDINGS_BUCKET: emptyToUndefined(env.RECORDINGS_BUCKET),
    RECORDING_RETENTION_DAYS: emptyToUndefined(env.RECORDING_RETENTION_DAYS),
    RECORDING_URL_EXPIRY_SECONDS: emptyToUndefined(env.RECORDING_URL_EXPIRY_SECONDS),
  });
  if (!parsed.success) throw new ConfigError(`invalid recordings configuration: ${issuePaths(parsed.error)}`);
  const c = parsed.data;
  return {
    ...(c.RECORDINGS_BUCKET ? { bucket: c.RECORDINGS_BUCKET } : {}),
    retentionDays: c.RECORDING_RETENTION_DAYS,
    urlExpirySeconds: c.RECORDING_URL_EXPIRY_SECONDS,
  };
}
