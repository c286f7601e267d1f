import { redactionModeFor } from '#core/config/api.ts';
import { ApiError } from '#core/api/errors.ts';
import { startStreaming } from '#core/api/start-streaming.ts';
import { stopStreaming } from '#core/api/stop-streaming.ts';
import { parseStartRequest, parseStopRequest } from '#core/api/streaming-request.ts';
import { consolePrincipal, type ConsoleAuthConfig } from '#core/console/auth.ts';
import { conversationHealth, messagesAfter, parseConversationId, parseMessagesQuery } from '#core/console/conversation.ts';
import { listLiveCalls } from '#core/console/live-calls.ts';
import { feedOperationNamed, runFeedOperation } from '#core/file-exporter/operations.ts';
import { apiHandler, type ApiHandler, type ApiRequest } from '#lambdas/shared/api-handler.ts';
import { queryParameter } from '#lambdas/shared/apigw.ts';
import { defaultConsoleRuntime, type ConsoleRuntime } from './runtime.ts';
import { CONSOLE_ROUTES } from '#core/contract/routes.ts';

/**
 * Every /console/v1 route (docs/console.md): live calls, a call's health and messages, start/stop and
 * the File Exporter on the operator's behalf. Same validation, error envelope and domain calls as the
 * ASAPP routes; only the authentication differs (Cognito or loopback, never the ASAPP secret).
 */
export function createConsoleHandler(runtime: () => ConsoleRuntime | Promise<ConsoleRuntime> = defaultConsoleRuntime): ApiHandler {
  let auth: ConsoleAuthConfig | undefined;
  return apiHandler(
    {
      name: 'console',
      failureCode: '500-01',
      async authenticate(event) {
        auth ??= (await runtime()).auth;
        return consolePrincipal(event, auth);
      },
      handle: async (request) => route(request, await runtime()),
    },
    async () => (await runtime()).api,
  );
}

async function route(request: ApiRequest, rt: ConsoleRuntime): Promise<unknown> {
  const { event, principal } = request;
  const conversationId = () => parseConversationId(event.pathParameters?.conversationId);
  const now = rt.api.clock.now();
  switch (event.resource) {
    case CONSOLE_ROUTES.liveCalls:
      return listLiveCalls(rt.api, now);
    case CONSOLE_ROUTES.health:
      return conversationHealth(conversationId(), rt.api, now);
    case CONSOLE_ROUTES.messages:
      return messagesAfter(conversationId(), parseMessagesQuery(queryParameter(event, 'after'), queryParameter(event, 'limit')), rt.api);
    case CONSOLE_ROUTES.startStreaming:
      return startStreaming(parseStartRequest(request.body, redactionModeFor(rt.api.config, principal.tenant)), principal, rt.api);
    case CONSOLE_ROUTES.stopStreaming:
      return stopStreaming(parseStopRequest(request.body), rt.api);
    case CONSOLE_ROUTES.files: {
      const operation = feedOperationNamed(event.pathParameters?.operation);
      if (!operation) throw new ApiError('404-01', 'unknown route');
      return runFeedOperation(operation, request.body, principal, rt.feed);
    }
    default:
      throw new ApiError('404-01', 'unknown route');
  }
}

export const handler = createConsoleHandler();
