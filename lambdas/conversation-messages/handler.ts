import { externalIdOf, getMessages } from '#core/api/get-messages.ts';
import { apiHandler, type ApiHandler } from '#lambdas/shared/api-handler.ts';
import { queryParameter } from '#lambdas/shared/apigw.ts';
import { defaultApiRuntime, type ApiRuntime } from '#lambdas/shared/runtime.ts';

/** GET /conversation/v1/conversation/messages[/]?externalId=… */
export function createConversationMessagesHandler(runtime: () => ApiRuntime | Promise<ApiRuntime> = defaultApiRuntime): ApiHandler {
  return apiHandler(
    {
      name: 'conversation-messages',
      failureCode: '500-01',
      handle: (request, rt) => getMessages(externalIdOf(queryParameter(request.event, 'externalId'), request.body), request.principal, rt),
    },
    runtime,
  );
}

export const handler = createConversationMessagesHandler();
