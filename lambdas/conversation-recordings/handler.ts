import { externalIdOf } from '#core/api/get-messages.ts';
import { getRecordings } from '#core/api/get-recordings.ts';
import { apiHandler, type ApiHandler } from '#lambdas/shared/api-handler.ts';
import { queryParameter } from '#lambdas/shared/apigw.ts';
import { defaultRecordingsRuntime, type RecordingsRuntime } from './runtime.ts';

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
