import { ApiError } from '#core/api/errors.ts';
import { feedOperationOf, runFeedOperation } from '#core/file-exporter/operations.ts';
import { apiHandler, type ApiHandler } from '#lambdas/shared/api-handler.ts';
import { defaultFileExporterRuntime, type FileExporterRuntime } from './runtime.ts';

/** POST /fileexporter/v1/static/{listfeeds,listfeedversions,listfeedformats,listfeeddates,listfeedintervals,listfeedfiles,getfeedfile}[/] */
export function createFileExporterHandler(
  runtime: () => FileExporterRuntime | Promise<FileExporterRuntime> = defaultFileExporterRuntime,
): ApiHandler {
  return apiHandler(
    {
      name: 'file-exporter',
      failureCode: '500-01',
      handle: async (request) => {
        const operation = feedOperationOf(request.event.path);
        if (!operation) throw new ApiError('404-01', 'unknown route');
        return runFeedOperation(operation, request.body, request.principal, (await runtime()).feed);
      },
    },
    async () => (await runtime()).api,
  );
}

export const handler = createFileExporterHandler();
