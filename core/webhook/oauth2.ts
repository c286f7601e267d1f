import type http from 'node:http';
import { z } from 'zod';
import type { OAuth2Settings } from './config.ts';
import { post } from './http-post.ts';

/**
 * OAuth2 `client_credentials` token source for the webhook (docs/api-contract.md §3.4): one token shared by
 * all deliveries of the container, cached until 60 s before `expires_in`, fetched by a single in-flight
 * request however many deliveries ask at once, discarded when the target answers 401.
 */

export type TokenResult = { ok: true; token: string } | { ok: false; reason: string };

export interface TokenSourceOptions {
  agent: http.Agent;
  timeoutMs: number;
  now?: () => number;
  /** Failed fetches are remembered this long so a wrong secret does not turn every message into a token request. */
  failureCooldownMs?: number;
}

const REFRESH_MARGIN_S = 60;
/** RFC 6749 makes `expires_in` optional; without it we still refresh periodically rather than trust forever. */
const DEFAULT_LIFETIME_S = 300;

const tokenResponse = z.object({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.coerce.number().positive().optional(),
});

interface Cached {
  token: string;
  refreshAt: number;
}

export class OAuth2TokenSource {
  private cached: Cached | undefined;
  private inFlight: Promise<TokenResult> | undefined;
  private failure: { reason: string; until: number } | undefined;
  private readonly now: () => number;

  constructor(
    private readonly settings: OAuth2Settings,
    private readonly options: TokenSourceOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  async getToken(): Promise<TokenResult> {
    const now = this.now();
    if (this.cached && now < this.cached.refreshAt) return { ok: true, token: this.cached.token };
    if (this.failure && now < this.failure.until) return { ok: false, reason: this.failure.reason };
    this.inFlight ??= this.fetchToken().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /** Only the token that was rejected is dropped: a concurrent caller may already have fetched a newer one. */
  invalidate(token: string): void {
    if (this.cached?.token === token) this.cached = undefined;
  }

  private async fetchToken(): Promise<TokenResult> {
    const requestedAt = this.now();
    const { clientId, clientSecret, clientAuth, scope, audience, tokenUrl } = this.settings;
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (scope) form.set('scope', scope);
    // `audience` is not in RFC 6749 but Auth0, Okta and others require it for machine-to-machine tokens.
    if (audience) form.set('audience', audience);
    const headers: http.OutgoingHttpHeaders = {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    };
    if (clientAuth === 'basic') {
      const credentials = `${formUrlEncode(clientId)}:${formUrlEncode(clientSecret)}`;
      headers.authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
    } else {
      form.set('client_id', clientId);
      form.set('client_secret', clientSecret);
    }
    const res = await post(tokenUrl, form.toString(), {
      agent: this.options.agent,
      headers,
      timeoutMs: this.options.timeoutMs,
      readBody: true,
    });
    const result = interpret(res.status, res.error, res.body);
    if (!result.ok) {
      this.failure = { reason: result.reason, until: this.now() + (this.options.failureCooldownMs ?? 1_000) };
      return result;
    }
    this.failure = undefined;
    const lifetime = result.expiresIn ?? DEFAULT_LIFETIME_S;
    // Short-lived tokens (≤ 2 min) would otherwise never be reused; use half their life instead.
    const usable = Math.max(lifetime - REFRESH_MARGIN_S, lifetime / 2);
    this.cached = { token: result.token, refreshAt: requestedAt + usable * 1000 };
    return { ok: true, token: result.token };
  }
}

function interpret(
  status: number | undefined,
  error: string | undefined,
  body: string | undefined,
): { ok: true; token: string; expiresIn?: number } | { ok: false; reason: string } {
  if (status === undefined) return { ok: false, reason: `token endpoint ${error ?? 'error'}` };
  if (status < 200 || status > 299) {
    // RFC 6749 §5.2 error codes (invalid_client, …) are safe to log; descriptions are not echoed.
    return { ok: false, reason: `token endpoint status ${status}${oauthErrorCode(body)}` };
  }
  let json: unknown;
  try {
    json = JSON.parse(body ?? '');
  } catch {
    return { ok: false, reason: 'token endpoint returned invalid JSON' };
  }
  const parsed = tokenResponse.safeParse(json);
  if (!parsed.success) return { ok: false, reason: 'token endpoint response has no usable access_token' };
  const { access_token, token_type, expires_in } = parsed.data;
  if (token_type !== undefined && token_type.toLowerCase() !== 'bearer') {
    return { ok: false, reason: 'token endpoint returned a token_type other than Bearer' };
  }
  if (!/^[\x21-\x7e]+$/.test(access_token)) {
    return { ok: false, reason: 'token endpoint returned a token that cannot be sent in a header' };
  }
  return { ok: true, token: access_token, ...(expires_in !== undefined ? { expiresIn: expires_in } : {}) };
}

function oauthErrorCode(body: string | undefined): string {
  try {
    const code = (JSON.parse(body ?? '') as { error?: unknown }).error;
    return typeof code === 'string' && /^[\x20-\x21\x23-\x5b\x5d-\x7e]{1,64}$/.test(code) ? ` (${code})` : '';
  } catch {
    return '';
  }
}

/** application/x-www-form-urlencoded (WHATWG serializer), as RFC 6749 §2.3.1 requires for Basic credentials. */
function formUrlEncode(value: string): string {
  return new URLSearchParams([['', value]]).toString().slice(1);
}
