import {
  createCustomVocabulary,
  deleteCustomVocabulary,
  getCustomVocabulary,
  getCustomVocabularyStatus,
  listCustomVocabularies,
} from '#core/api/custom-vocabularies.ts';
import { apiHandler, ApiReply, type ApiHandler } from '#lambdas/shared/api-handler.ts';
import { queryParameter } from '#lambdas/shared/apigw.ts';
import { CUSTOM_VOCABULARY_STATUS_PATH } from '#core/contract/routes.ts';
import { defaultApiRuntime, type ApiRuntime } from '#lambdas/shared/runtime.ts';

/**
 * GET|POST /configuration/v1/auto-transcribe/custom-vocabularies[/]
 * GET|DELETE /configuration/v1/auto-transcribe/custom-vocabularies/{customVocabularyId}
 * GET /configuration/v1/auto-transcribe/custom-vocabulary-status
 */
export function createCustomVocabulariesHandler(runtime: () => ApiRuntime | Promise<ApiRuntime> = defaultApiRuntime): ApiHandler {
  return apiHandler(
    {
      name: 'custom-vocabularies',
      failureCode: '500-01',
      handle: async (request, rt) => {
        const { event, principal } = request;
        const id = event.pathParameters?.customVocabularyId;
        if (event.resource === CUSTOM_VOCABULARY_STATUS_PATH) return getCustomVocabularyStatus(principal, rt);
        if (id === undefined) {
          if (event.httpMethod === 'POST') return new ApiReply(201, await createCustomVocabulary(request.body, principal, rt));
          return listCustomVocabularies(
            { pageSize: queryParameter(event, 'pageSize'), cursor: queryParameter(event, 'cursor') },
            principal,
            rt,
          );
        }
        if (event.httpMethod === 'DELETE') {
          await deleteCustomVocabulary(id, principal, rt);
          return new ApiReply(204);
        }
        return getCustomVocabulary(id, principal, rt);
      },
    },
    runtime,
  );
}

export const handler = createCustomVocabulariesHandler();
