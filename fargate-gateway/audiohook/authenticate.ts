import type { IncomingHttpHeaders } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { logger as defaultLogger } from '#core/logger.ts';
import type { AppLogger } from '#core/logger.ts';
import type { ApiKeySet } from './api-keys.ts';
import type { ReplayCache } from './nonce-cache.ts';
import { verifySignature } from './signature.ts';
import type { SignedRequest, VerifyResult } from './signature.ts';

/**
 * Authentication of the AudioHook WebSocket upgrade (§4): the key check and signature verification,
 * with every failure held back to a fixed minimum time (§4.4) so that response time says nothing
 * about which check failed or whether the key exists.
 */

export type AuthOutcome = VerifyResult;

/** Minimum time between the start of verification and a failure being reported (§4.4). */
export const DEFAULT_FAILURE_FLOOR_MS = 500;

/** Header names a trusted proxy uses to pass on the original `Host` and request target. */
interface ForwardedHeaderNames {
  host?: string;
  target?: string;
}

const DEFAULT_FORWARDED_HEADERS: Required<ForwardedHeaderNames> = {
  host: 'x-forwarded-host',
  target: 'x-forwarded-uri',
};

export interface AuthenticateOptions {
  /**
   * Replay protection (§4.4, Policy); null turns it off. Share one cache across connections, and one
   * across tasks (shared-nonce-cache.ts) when a replay could reach another task.
   */
  nonceCache: ReplayCache | null;
  /** Default 500 ms. */
  failureFloorMs?: number;
  /** Unix seconds; default the system clock. */
  now?: () => number;
  /**
   * The signature covers the path and `Host` Genesys sent (§4.5). Behind a proxy that rewrites them,
   * enable this to verify against the originals the proxy forwards instead. Only safe when every
   * request reaches us through that proxy and it sets these headers itself: otherwise a client
   * chooses the values verified. The host header may be appended to (its last entry is used); the
   * target header must be overwritten, as a URI may itself contain commas. Off by default; `true`
   * means DEFAULT_FORWARDED_HEADERS. A forwarded header that is absent falls back to the received value.
   */
  trustForwardedHeaders?: boolean | ForwardedHeaderNames;
  /** Child logger carrying connection context; default the gateway logger. */
  logger?: AppLogger;
}

/** The parts of an upgrade request (`http.IncomingMessage`) that authentication reads. */
export interface UpgradeRequest {
  url?: string | undefined;
  headers: IncomingHttpHeaders;
  /** As received: Node keeps only the first of several `Host` fields in `headers`. */
  rawHeaders?: string[];
}

/**
 * Authenticates an upgrade request. Success resolves at once; failure resolves no earlier than
 * `failureFloorMs` after the call, whatever failed. Never rejects.
 */
export async function authenticateUpgrade(req: UpgradeRequest, keys: ApiKeySet, opts: AuthenticateOptions): Promise<AuthOutcome> {
  const started = performance.now();
  const log = opts.logger ?? defaultLogger;
  const context = {
    correlationId: logValue(req.headers['audiohook-correlation-id']),
    sessionId: logValue(req.headers['audiohook-session-id']),
    organizationId: logValue(req.headers['audiohook-organization-id']),
  };

  let outcome: AuthOutcome;
  try {
    const now = opts.now ?? (() => Date.now() / 1000);
    // The signature check is synchronous: it names the nonce to claim, and the claim (perhaps a
    // round trip to the shared table) is made once the MAC has verified.
    let claim: { nonce: string; until: number } | undefined;
    outcome = duplicateHost(req)
      ? { ok: false, code: 'INVALID', reason: 'more than one Host header (RFC 9112 §3.2)' }
      : verifySignature(signedRequest(req, opts.trustForwardedHeaders), (apiKey) => keys.lookup(apiKey)?.secret, {
          now,
          nonceCache: { checkAndRemember: (nonce, until) => ((claim = { nonce, until }), true) },
        });
    if (outcome.ok && claim && opts.nonceCache && !(await opts.nonceCache.checkAndRemember(claim.nonce, claim.until, now()))) {
      outcome = { ok: false, code: 'REPLAY', reason: 'nonce already used by a signature that is still valid' };
    }
  } catch (error) {
    // Fail closed; the caught error is ours (a lookup or clock fault), not request data.
    log.error('AudioHook authentication error', { ...context, error: error as Error });
    outcome = { ok: false, code: 'FAILED', reason: 'internal error during verification' };
  }

  if (outcome.ok) {
    for (const warning of outcome.warnings) log.warn('AudioHook authentication warning', { ...context, warning });
    log.debug('AudioHook connection authenticated', { ...context, signed: outcome.signed });
    return outcome;
  }
  log.warn('AudioHook authentication failed', { ...context, code: outcome.code, reason: outcome.reason });
  await holdUntil(started + (opts.failureFloorMs ?? DEFAULT_FAILURE_FLOOR_MS));
  return outcome;
}

function duplicateHost(req: UpgradeRequest): boolean {
  let hosts = 0;
  for (let i = 0; i < (req.rawHeaders?.length ?? 0); i += 2) if (req.rawHeaders![i].toLowerCase() === 'host') hosts++;
  return hosts > 1;
}

function signedRequest(req: UpgradeRequest, trust: AuthenticateOptions['trustForwardedHeaders']): SignedRequest {
  let requestTarget = req.url ?? '';
  let authority = headerText(req.headers.host) ?? '';
  if (trust) {
    const names = trust === true ? DEFAULT_FORWARDED_HEADERS : { ...DEFAULT_FORWARDED_HEADERS, ...trust };
    requestTarget = headerText(req.headers[names.target.toLowerCase()])?.trim() || requestTarget;
    authority = nearestForwardedHost(req.headers[names.host.toLowerCase()]) ?? authority;
  }
  return { requestTarget, authority, headers: req.headers };
}

// Proxies append to X-Forwarded-Host, so the last entry is the one our trusted proxy wrote; earlier
// ones came from the client.
function nearestForwardedHost(value: string | string[] | undefined): string | undefined {
  const text = headerText(value);
  if (text === undefined) return undefined;
  const last = text.slice(text.lastIndexOf(',') + 1).trim();
  return last === '' ? undefined : last;
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

/** Ids are client-supplied: bounded so a hostile header cannot bloat every log line. */
export function logValue(value: string | string[] | undefined): string | undefined {
  const text = headerText(value);
  return text === undefined ? undefined : text.slice(0, 64);
}

// Timers may fire a little early against performance.now(), so re-check until the floor has passed.
async function holdUntil(deadline: number): Promise<void> {
  for (let remaining = deadline - performance.now(); remaining > 0; remaining = deadline - performance.now()) {
    await sleep(Math.ceil(remaining));
  }
}
