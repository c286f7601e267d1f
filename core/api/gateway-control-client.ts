import type { z } from 'zod';
import {
  controlErrorSchema,
  controlPath,
  type ControlErrorKind,
  type ControlStartRequest,
  type ControlStopRequest,
} from './gateway-control.ts';
import { startResultsSchema, stopResultsSchema, type StartResults, type StopResults } from '../domain/participant-result.ts';
import { signControlRequest } from './control-auth.ts';

/**
 * Client of the gateway's private control endpoint (docs/data-model.md). Answers the contract defines
 * come back as values; anything else (network error, timeout, unexpected status or body) is a
 * GatewayUnavailableError, which start/stop report as 500-201.
 */
export type ControlOutcome<T> = { kind: 'ok'; results: T } | { kind: ControlErrorKind };

export interface GatewayControlClient {
  start(gatewayUrl: string, conversationId: string, request: ControlStartRequest): Promise<ControlOutcome<StartResults>>;
  stop(gatewayUrl: string, conversationId: string, request: ControlStopRequest): Promise<ControlOutcome<StopResults>>;
}

export class GatewayUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'GatewayUnavailableError';
  }
}

export interface GatewayControlClientOptions {
  /** Start opens recognition streams: 5 s. */
  startTimeoutMs?: number;
  /** Stop waits up to 5 s for final results to flush, plus margin: 8 s. */
  stopTimeoutMs?: number;
  fetch?: typeof globalThis.fetch;
  /** The secret requests are signed with (control-auth.ts); unsigned when absent (local development only). */
  secret?: () => Promise<string | undefined>;
}

export function createGatewayControlClient(options: GatewayControlClientOptions = {}): GatewayControlClient {
  const doFetch = options.fetch ?? globalThis.fetch;

  async function call<T>(
    gatewayUrl: string,
    path: string,
    body: unknown,
    timeoutMs: number,
    schema: z.ZodType<T>,
  ): Promise<ControlOutcome<T>> {
    const url = gatewayUrl.replace(/\/+$/, '') + path;
    let status: number;
    let payload: unknown;
    try {
      const requestBody = JSON.stringify(body);
      const secret = await options.secret?.();
      const response = await doFetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          ...(secret ? signControlRequest(secret, 'POST', path, requestBody) : {}),
        },
        body: requestBody,
        signal: AbortSignal.timeout(timeoutMs),
      });
      status = response.status;
      const text = await response.text();
      payload = text === '' ? undefined : JSON.parse(text);
    } catch (error) {
      const timedOut = (error as Error).name === 'TimeoutError';
      throw new GatewayUnavailableError(
        timedOut ? `gateway did not answer within ${timeoutMs} ms` : 'gateway unreachable or answered non-JSON',
        { cause: error },
      );
    }
    if (status === 200) {
      const results = schema.safeParse(payload);
      if (!results.success) throw new GatewayUnavailableError('gateway answered 200 with an unexpected body');
      return { kind: 'ok', results: results.data };
    }
    const refusal = controlErrorSchema.safeParse(payload);
    if ((status === 404 || status === 409) && refusal.success) return { kind: refusal.data.error };
    throw new GatewayUnavailableError(`gateway answered HTTP ${status}`);
  }

  return {
    start: (gatewayUrl, conversationId, request) =>
      call(gatewayUrl, controlPath(conversationId, 'start'), request, options.startTimeoutMs ?? 5_000, startResultsSchema),
    stop: (gatewayUrl, conversationId, request) =>
      call(gatewayUrl, controlPath(conversationId, 'stop'), request, options.stopTimeoutMs ?? 8_000, stopResultsSchema),
  };
}
