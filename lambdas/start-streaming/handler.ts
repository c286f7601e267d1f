import { redactionModeFor } from '#core/config/api.ts';
import { startStreaming } from '#core/api/start-streaming.ts';
import { parseStartRequest } from '#core/api/streaming-request.ts';
import { apiHandler, type ApiHandler } from '#lambdas/shared/api-handler.ts';
import { defaultApiRuntime, type ApiRuntime } from '#lambdas/shared/runtime.ts';

/** POST /mg-autotranscribe/v1/start-streaming[/] */
export function createStartStreamingHandler(runtime: () => ApiRuntime | Promise<ApiRuntime> = defaultApiRuntime): ApiHandler {
  return apiHandler(
    {
      name: 'start-streaming',
      failureCode: '500-201',
      handle: (request, rt) =>
        startStreaming(parseStartRequest(request.body, redactionModeFor(rt.config, request.principal.tenant)), request.principal, rt),
    },
    runtime,
  );
}

export const handler = createStartStreamingHandler();
