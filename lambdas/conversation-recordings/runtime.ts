import type { RecordingsDeps } from '#core/api/get-recordings.ts';
import { createS3Client } from '#core/daily-export/s3-client.ts';
import { loadRecordingsConfig } from '#core/recordings/config.ts';
import { createRecordingsBucket } from '#core/recordings/recordings-bucket.ts';
import { once } from '#lambdas/shared/once.ts';
import { defaultApiRuntime, type ApiRuntime } from '#lambdas/shared/runtime.ts';

/** The recordings Lambda's dependencies: the shared API runtime (credentials) and the recordings bucket. */
export interface RecordingsRuntime {
  api: ApiRuntime;
  recordings: RecordingsDeps;
}

export function createRecordingsRuntime(
  env: NodeJS.ProcessEnv = process.env,
  api: () => ApiRuntime = defaultApiRuntime,
): RecordingsRuntime {
  const config = loadRecordingsConfig(env);
  const bucket = config.bucket ? createRecordingsBucket(createS3Client({}, env), config.bucket) : undefined;
  return { api: api(), recordings: { ...(bucket ? { bucket } : {}), config, now: Date.now } };
}

export const defaultRecordingsRuntime = once(() => createRecordingsRuntime());
