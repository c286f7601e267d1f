import type { APIGatewayProxyResult } from 'aws-lambda';
import { expect } from 'vitest';
import type { ApiHandler } from '#lambdas/shared/api-handler.ts';
import { apiGatewayEvent, lambdaContext, type EventOptions } from '#test/support/apigw-event.ts';

/** Shared set-up of the API integration tests: credentials of three tenants and a way to call handlers. */
export const CREDENTIALS = {
  acme: { id: 'acme-app', secret: 'acme-secret-0123456789abcdef', tenant: 'acme' },
  strict: { id: 'strict-app', secret: 'strict-secret-0123456789', tenant: 'strict' },
  open: { id: 'open-app', secret: 'open-secret-9876543210', tenant: 'open' },
} as const;
export type Caller = keyof typeof CREDENTIALS;

export const START_PATH = '/mg-autotranscribe/v1/start-streaming';
export const STOP_PATH = '/mg-autotranscribe/v1/stop-streaming';
export const MESSAGES_PATH = '/conversation/v1/conversation/messages';

/** Call before the first handler invocation: the runtime reads the environment once. */
export function configureApiEnv(extra: Record<string, string> = {}): void {
  Object.assign(process.env, {
    API_CREDENTIALS: JSON.stringify(Object.values(CREDENTIALS)),
    REDACTION_MODE: 'default',
    TENANT_REDACTION_MODES: JSON.stringify({ strict: 'always', open: 'off' }),
    CONTROL_START_TIMEOUT_MS: '1500',
    CONTROL_STOP_TIMEOUT_MS: '1500',
    ...extra,
  });
}

export function authHeaders(caller: Caller = 'acme'): Record<string, string> {
  return { 'asapp-api-id': CREDENTIALS[caller].id, 'asapp-api-secret': CREDENTIALS[caller].secret };
}

export interface Called {
  status: number;
  body: any;
  raw: APIGatewayProxyResult;
  requestId: string;
}

export async function call(handler: ApiHandler, options: EventOptions & { as?: Caller | null }): Promise<Called> {
  const { as = 'acme', ...eventOptions } = options;
  const event = apiGatewayEvent({
    ...eventOptions,
    headers: { ...(as ? authHeaders(as) : {}), ...eventOptions.headers },
  });
  const raw = await handler(event, lambdaContext());
  return { status: raw.statusCode, body: JSON.parse(raw.body), raw, requestId: event.requestContext.requestId };
}

export function startBody(guid: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { namespace: 'genesysaudiohook', guid, customerId: 'CUST-1', agentId: 'AGENT-1', ...extra };
}

export function stopBody(guid: string): Record<string, unknown> {
  return { namespace: 'genesysaudiohook', guid };
}

/** Asserts the exact error envelope, keys in contract order. */
export function expectError(result: Called, status: number, code: string): void {
  expect({ status: result.status, code: result.body?.error?.code }).toEqual({ status, code });
  expect(Object.keys(result.body)).toEqual(['error']);
  expect(Object.keys(result.body.error)).toEqual(['requestId', 'message', 'code']);
  expect(result.body.error.requestId).toBe(result.requestId);
  expect(typeof result.body.error.message).toBe('string');
  expect(result.raw.body).not.toMatch(/\n\s+at /); // no stack trace
  expect(result.raw.headers?.['Content-Type']).toBe('application/json');
}

export const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
