import type { RecognitionStatusCode } from '../recognizer.ts';
import { STREAM_STATUS } from '#core/contract/status-codes.ts';

export type StreamErrorVerdict = { retry: true } | { retry: false; statusCode: RecognitionStatusCode };

/** Service faults that a fresh stream (new session id) usually gets past. */
const RETRYABLE_NAMES = new Set([
  'ServiceUnavailableException',
  'InternalFailureException',
  // Only possible if a session id were reused; a restart always uses a new one.
  'ConflictException',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);

/** Connection-level failures of the one HTTP/2 session a stream runs on. */
const RETRYABLE_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ERR_HTTP2_STREAM_ERROR',
  'ERR_HTTP2_SESSION_ERROR',
  'ERR_HTTP2_GOAWAY_SESSION',
  'ERR_HTTP2_STREAM_CANCEL',
  'ERR_HTTP2_INVALID_SESSION',
]);

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  cause?: unknown;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: number };
}

/**
 * Maps an exception thrown by `send()` or from the result stream to what the session does about it
 * (docs/api-contract.md §9, §2.6). The SDK wraps some transport failures, so causes are inspected too.
 */
export function classifyStreamError(error: unknown): StreamErrorVerdict {
  const chain = causes(error);
  const top = chain[0] ?? {};
  if (top.name === 'LimitExceededException') return { retry: false, statusCode: STREAM_STATUS.NO_INSTANCES_AVAILABLE };
  if (top.name === 'BadRequestException') {
    return {
      retry: false,
      statusCode: /language/i.test(String(top.message ?? '')) ? STREAM_STATUS.LANGUAGE_NOT_SUPPORTED : STREAM_STATUS.INTERNAL_ERROR,
    };
  }
  const retryable = chain.some(
    (e) =>
      RETRYABLE_NAMES.has(String(e.name)) ||
      RETRYABLE_CODES.has(String(e.code)) ||
      e.$retryable !== undefined ||
      (e.$metadata?.httpStatusCode ?? 0) >= 500,
  );
  return retryable ? { retry: true } : { retry: false, statusCode: STREAM_STATUS.INTERNAL_ERROR };
}

/** A short, text-free description for logs. */
export function describeError(error: unknown): { errorName: string; errorMessage: string } {
  const e = (error ?? {}) as ErrorLike;
  return { errorName: String(e.name ?? 'Error'), errorMessage: String(e.message ?? error) };
}

function causes(error: unknown): ErrorLike[] {
  const chain: ErrorLike[] = [];
  let current = error;
  while (current && typeof current === 'object' && chain.length < 4) {
    chain.push(current);
    current = (current as ErrorLike).cause;
  }
  return chain;
}
