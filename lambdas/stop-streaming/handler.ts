import { stopStreaming } from '#core/api/stop-streaming.ts';
import { parseStopRequest } from '#core/api/streaming-request.ts';
import { apiHandler, type ApiHandler } from '#lambdas/shared/api-handler.ts';
import { defaultApiRuntime, type ApiRuntime } from '#lambdas/shared/runtime.ts';

/** POST /mg-autotranscribe/v1/stop-streaming[/] */
export function createStopStreamingHandler(runtime: () => ApiRuntime | Promise<ApiRuntime> = defaultApiRuntime): ApiHandler {
  return apiHandler(
    { name: 'stop-streaming', failureCode: '500-201', handle: (request, rt) => stopStreaming(parseStopRequest(request.body), rt) },
    runtime,
  );
}

export const handler = createStopStreamingHandler();
