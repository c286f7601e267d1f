import { createExportBucket } from '#core/daily-export/export-bucket.ts';
import { loadFeedConfig } from '#core/daily-export/config.ts';
import { createS3Client } from '#core/daily-export/s3-client.ts';
import type { FeedDeps } from '#core/file-exporter/operations.ts';
import { once } from '#lambdas/shared/once.ts';
import { defaultApiRuntime, type ApiRuntime } from '#lambdas/shared/runtime.ts';

/** The File Exporter Lambda's dependencies: the shared API runtime (credentials) and the exports bucket. */
export interface FileExporterRuntime {
  api: ApiRuntime;
  feed: FeedDeps;
}

export function createFileExporterRuntime(
  env: NodeJS.ProcessEnv = process.env,
  api: () => ApiRuntime = defaultApiRuntime,
): FileExporterRuntime {
  const config = loadFeedConfig(env);
  return {
    api: api(),
    feed: { bucket: createExportBucket(createS3Client({}, env), config.bucket), config, now: Date.now },
  };
}

export const defaultFileExporterRuntime = once(() => createFileExporterRuntime());
