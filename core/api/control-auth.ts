import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Authentication of the gateway's private control endpoint (docs/data-model.md): the start/stop
 * Lambdas sign each request with a secret they share with the gateway tasks (Secrets Manager in AWS,
 * generated per run locally), on top of the security group that lets only them connect. The signature
 * covers the method, the path, the body and a timestamp, so a request cannot be altered or replayed
 * for long: requests more than CONTROL_SIGNATURE_WINDOW_SECONDS away from the gateway's clock are refused.
 */

const CONTROL_TIMESTAMP_HEADER = 'x-control-timestamp';
const CONTROL_SIGNATURE_HEADER = 'x-control-signature';
const CONTROL_SIGNATURE_WINDOW_SECONDS = 60;
/** A shorter secret is refused by configuration: 32 characters of a random string is 160+ bits. */
export const MIN_CONTROL_SECRET_CHARS = 32;

function mac(secret: string, timestamp: string, method: string, path: string, body: string | Uint8Array): string {
  const bodyHash = createHash('sha256').update(body).digest('hex');
  return createHmac('sha256', secret).update(`v1\n${timestamp}\n${method.toUpperCase()}\n${path}\n${bodyHash}`).digest('hex');
}

/** The headers that authenticate one control request. */
export function signControlRequest(secret: string, method: string, path: string, body: string, nowMs = Date.now()): Record<string, string> {
  const timestamp = String(Math.floor(nowMs / 1000));
  return { [CONTROL_TIMESTAMP_HEADER]: timestamp, [CONTROL_SIGNATURE_HEADER]: `v1=${mac(secret, timestamp, method, path, body)}` };
}

export type ControlAuthOutcome = { ok: true } | { ok: false; reason: string };

export function verifyControlRequest(
  secret: string,
  request: { method: string; path: string; headers: Record<string, string | string[] | undefined>; body: Uint8Array },
  nowMs = Date.now(),
): ControlAuthOutcome {
  const timestamp = request.headers[CONTROL_TIMESTAMP_HEADER];
  const signature = request.headers[CONTROL_SIGNATURE_HEADER];
  if (typeof timestamp !== 'string' || typeof signature !== 'string') return { ok: false, reason: 'unsigned request' };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'malformed timestamp' };
  if (Math.abs(Number(timestamp) - nowMs / 1000) > CONTROL_SIGNATURE_WINDOW_SECONDS)
    return { ok: false, reason: 'timestamp outside the window' };
  const expected = Buffer.from(`v1=${mac(secret, timestamp, request.method, request.path, request.body)}`);
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'signature mismatch' };
  return { ok: true };
}
