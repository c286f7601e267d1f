import { externalIdOf } from '#core/api/get-messages.ts';
import { getRecordings, type RecordingsDeps } from '#core/api/get-recordings.ts';
import { createS3Client } from '#core/daily-export/s3-client.ts';
import { loadRecordingsConfig } from '#core/recordings/config.ts';
import { createRecordingsBucket } from '#core/recordings/recordings-bucket.ts';
import { apiHandler, type ApiHandler } from '#lambdas/shared/api-handler.ts';
import { queryParameter } from '#lambdas/shared/apigw.ts';
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

let runtime: RecordingsRuntime | undefined;

function defaultRecordingsRuntime(): RecordingsRuntime {
  runtime ??= createRecordingsRuntime();
  return runtime;
}

/** GET /conversation/v1/conversation/recordings[/]?externalId=… */
export function createConversationRecordingsHandler(
  runtime: () => RecordingsRuntime | Promise<RecordingsRuntime> = defaultRecordingsRuntime,
): ApiHandler {
  return apiHandler(
    {
      name: 'conversation-recordings',
      failureCode: '500-01',
      handle: async (request) =>
        getRecordings(
          externalIdOf(queryParameter(request.event, 'externalId'), request.body),
          request.principal,
          (await runtime()).recordings,
        ),
    },
    async () => (await runtime()).api,
  );
}

export const handler = createConversationRecordingsHandler();
