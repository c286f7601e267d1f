import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';

/** Reading API Gateway REST (v1) proxy events and writing their results. */

/** Header value, name matched case-insensitively; multi-value headers count when the single map lacks it. */
export function header(event: APIGatewayProxyEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted && value !== undefined) return value;
  }
  for (const [key, values] of Object.entries(event.multiValueHeaders ?? {})) {
    if (key.toLowerCase() === wanted && values && values.length > 0) return values[values.length - 1];
  }
  return undefined;
}

export function queryParameter(event: APIGatewayProxyEvent, name: string): string | undefined {
  const single = event.queryStringParameters?.[name];
  if (single !== undefined && single !== null) return single;
  const multi = event.multiValueQueryStringParameters?.[name];
  return multi && multi.length > 0 ? multi[multi.length - 1] : undefined;
}

/** The raw body bytes (API Gateway base64-encodes binary media types). */
export function bodyBytes(event: APIGatewayProxyEvent): Buffer | undefined {
  if (event.body === null || event.body === undefined) return undefined;
  return Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
}

export function requestIdOf(event: APIGatewayProxyEvent): string {
  return event.requestContext?.requestId || event.headers?.['x-amzn-requestid'] || 'unknown';
}

export function jsonResult(statusCode: number, body: unknown): APIGatewayProxyResult {
  return {
    statusCode,
    headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' },
    body: JSON.stringify(body),
  };
}
