import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type { Principal } from '#core/api/auth.ts';
import { ApiError, errorEnvelope, type ErrorCode } from '#core/api/errors.ts';
import { MAX_BODY_BYTES } from '#core/api/request-body.ts';
import { CREDENTIAL_HEADERS } from '#core/api/request-authorizer.ts';
import { logger } from '#core/logger.ts';
import { bodyBytes, header, jsonResult, requestIdOf } from './apigw.ts';
import type { ApiRuntime } from './runtime.ts';

/**
 * What every public endpoint does around its own work: authentication (401-01), the body limit
 * (413-01), the error envelope on every non-2xx, and a generic 500 that never carries a stack trace.
 */
export interface ApiOperation<T> {
  name: string;
  /** Code of an unexpected failure: 500-201 for start/stop, 500-01 elsewhere. */
  failureCode: Extract<ErrorCode, '500-201' | '500-01'>;
  handle(request: ApiRequest, runtime: ApiRuntime): Promise<T>;
  /** Who the request acts for; default: the ASAPP `asapp-api-id` / `asapp-api-secret` pair. Undefined is 401-01. */
  authenticate?(event: APIGatewayProxyEvent, runtime: ApiRuntime): Principal | undefined | Promise<Principal | undefined>;
}

export interface ApiRequest {
  requestId: string;
  principal: Principal;
  /** The body as UTF-8 text, if any. */
  body: string | undefined;
  event: APIGatewayProxyEvent;
}

/** A success other than 200 (201 Created, 204 No Content); a plain value is answered 200. */
export class ApiReply {
  constructor(
    readonly status: 201 | 204,
    readonly body?: unknown,
  ) {}
}

export type ApiHandler = (event: APIGatewayProxyEvent, context?: Context) => Promise<APIGatewayProxyResult>;

export function apiHandler<T>(route: ApiOperation<T>, runtime: () => ApiRuntime | Promise<ApiRuntime>): ApiHandler {
  return async (event) => {
    const startedAt = Date.now();
    const requestId = requestIdOf(event);
    let result: APIGatewayProxyResult;
    let code: ErrorCode | undefined;
    try {
      const rt = await runtime();
      const principal = route.authenticate
        ? await route.authenticate(event, rt)
        : await rt.credentials.verify(header(event, CREDENTIAL_HEADERS.id), header(event, CREDENTIAL_HEADERS.secret));
      if (!principal) throw new ApiError('401-01');
      const bytes = bodyBytes(event);
      if (bytes && bytes.length > MAX_BODY_BYTES) throw new ApiError('413-01');
      const body = await route.handle({ requestId, principal, body: bytes?.toString('utf8'), event }, rt);
      if (!(body instanceof ApiReply)) result = jsonResult(200, body);
      else if (body.status === 204) result = { statusCode: 204, headers: { 'Cache-Control': 'no-store' }, body: '' };
      else result = jsonResult(body.status, body.body);
    } catch (error) {
      const failure = error instanceof ApiError ? error : new ApiError(route.failureCode);
      if (!(error instanceof ApiError) || failure.status >= 500) {
        logger.error('request failed', { route: route.name, requestId, code: failure.code, error: describe(error) });
      }
      code = failure.code;
      result = jsonResult(failure.status, errorEnvelope(requestId, failure));
    }
    logger.info('request', { route: route.name, requestId, status: result.statusCode, code, durationMs: Date.now() - startedAt });
    return result;
  };
}

/** Name and message only: AWS SDK errors can carry request details we do not want in every log line. */
function describe(error: unknown): { name: string; message: string } {
  return error instanceof Error ? { name: error.name, message: error.message } : { name: typeof error, message: String(error) };
}
