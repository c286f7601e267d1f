import { loadConsoleAuthConfig, type ConsoleAuthConfig } from '#core/console/auth.ts';
import type { FeedDeps } from '#core/file-exporter/operations.ts';
import { createFileExporterRuntime } from '#lambdas/file-exporter/runtime.ts';
import { once } from '#lambdas/shared/once.ts';
import { defaultApiRuntime, type ApiRuntime } from '#lambdas/shared/runtime.ts';

/** The console Lambda's dependencies: the shared API runtime, the File Exporter's bucket, and who may sign in. */
export interface ConsoleRuntime {
  api: ApiRuntime;
  feed: FeedDeps;
  auth: ConsoleAuthConfig;
}

export function createConsoleRuntime(env: NodeJS.ProcessEnv = process.env, api: () => ApiRuntime = defaultApiRuntime): ConsoleRuntime {
  const { feed } = createFileExporterRuntime(env, api);
  return { api: api(), feed, auth: loadConsoleAuthConfig(env) };
}

export const defaultConsoleRuntime = once(() => createConsoleRuntime());
