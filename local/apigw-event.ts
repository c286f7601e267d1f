import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';

/**
 * API Gateway REST API (v1) Lambda proxy events as API Gateway builds them: single and multi-value
 * header and query maps, the request context with a fresh request id, the stage prefix in
 * `requestContext.path`. The local runtime builds the same shape from real HTTP requests.
 */
export interface EventOptions {
  method?: string;
  /** Path as the client sent it, without the stage, e.g. `/mg-autotranscribe/v1/start-streaming/`. */
  path: string;
  /** Resource template the route is declared as; defaults to `path` without a trailing slash. */
  resource?: string;
  headers?: Record<string, string | string[]>;
  query?: Record<string, string | string[]>;
  /** A string is sent as is; anything else is JSON-encoded. */
  body?: unknown;
  base64?: boolean;
  requestId?: string;
  stage?: string;
}

export function apiGatewayEvent(options: EventOptions): APIGatewayProxyEvent {
  const method = options.method ?? 'POST';
  const stage = options.stage ?? 'v1';
  const requestId = options.requestId ?? randomUUID();
  const now = new Date();
  const { single: headers, multi: multiValueHeaders } = maps({
    Accept: '*/*',
    Host: 'api.example.com',
    'User-Agent': 'vitest',
    'X-Amzn-Trace-Id': `Root=1-${Math.floor(now.getTime() / 1000).toString(16)}-${randomUUID().replace(/-/g, '').slice(0, 24)}`,
    'X-Forwarded-For': '203.0.113.10',
    'X-Forwarded-Port': '443',
    'X-Forwarded-Proto': 'https',
    ...(options.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
    ...options.headers,
  });
  const query = options.query ? maps(options.query) : undefined;
  const text = options.body === undefined ? null : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  const resource = options.resource ?? (options.path.replace(/\/+$/, '') || '/');
  return {
    resource,
    path: options.path,
    httpMethod: method,
    headers,
    multiValueHeaders,
    queryStringParameters: query?.single ?? null,
    multiValueQueryStringParameters: query?.multi ?? null,
    pathParameters: null,
    stageVariables: null,
    requestContext: {
      accountId: '123456789012',
      apiId: 'a1b2c3d4e5',
      authorizer: null,
      domainName: 'api.example.com',
      domainPrefix: 'api',
      extendedRequestId: randomUUID().slice(0, 16) + '=',
      httpMethod: method,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: '203.0.113.10',
        user: null,
        userAgent: 'vitest',
        userArn: null,
      },
      path: `/${stage}${options.path}`,
      protocol: 'HTTP/1.1',
      requestId,
      requestTime: now.toUTCString(),
      requestTimeEpoch: now.getTime(),
      resourceId: 'abc123',
      resourcePath: resource,
      stage,
    },
    body: text === null ? null : options.base64 ? Buffer.from(text, 'utf8').toString('base64') : text,
    isBase64Encoded: options.base64 ?? false,
  };
}

/** A Lambda context good enough for handlers that only log with it. */
export function lambdaContext(functionName = 'test-function'): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2026/01/01/[$LATEST]0123456789abcdef',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

function maps(values: Record<string, string | string[]>): { single: Record<string, string>; multi: Record<string, string[]> } {
  const single: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  for (const [key, value] of Object.entries(values)) {
    const list = Array.isArray(value) ? value : [value];
    multi[key] = list;
    // API Gateway puts the last value of a repeated header or parameter in the single-value map.
    if (list.length > 0) single[key] = list[list.length - 1]!;
  }
  return { single, multi };
}
