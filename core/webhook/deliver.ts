import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import { rootCertificates } from 'node:tls';
import type { WebhookConfig } from './config.ts';
import { post } from './http-post.ts';
import type { PostResult } from './http-post.ts';
import { OAuth2TokenSource } from './oauth2.ts';

/** Outcome of one webhook POST (docs/api-contract.md §3.5: any 2xx is success, the response body is ignored). */
export interface DeliveryResult {
  ok: boolean;
  status?: number;
  /** `ok`, `status 503`, `timeout`, an error code such as `CERT_HAS_EXPIRED`, or `oauth2: …`. Never contains secrets. */
  reason: string;
  latencyMs: number;
}

export interface Deliverer {
  /** `body` is the queued webhook body, sent byte for byte (it is already compact JSON in contract key order). */
  deliver(body: string): Promise<DeliveryResult>;
  close(): void;
}

export interface DelivererOptions {
  /** Clock for the OAuth2 token cache. */
  now?: () => number;
}

const USER_AGENT = 'audiohook-transcribe-webhook/1';

export function createDeliverer(config: WebhookConfig, options: DelivererOptions = {}): Deliverer {
  const targetAgent =
    config.url.protocol === 'https:'
      ? new https.Agent({
          keepAlive: true,
          minVersion: 'TLSv1.2',
          // Custom CA replaces the system roots: the customer's CA alone vouches for their target.
          ...(config.tls.ca ? { ca: config.tls.ca } : {}),
          ...(config.tls.cert ? { cert: config.tls.cert, key: config.tls.key } : {}),
          ...(config.tls.passphrase ? { passphrase: config.tls.passphrase } : {}),
        })
      : new http.Agent({ keepAlive: true });

  const { oauth2, secretToken } = config;
  const tokenAgent = oauth2
    ? new https.Agent({
        keepAlive: true,
        minVersion: 'TLSv1.2',
        // The authorisation server is often a public IdP, so the custom CA is added to, not substituted for, the roots.
        ...(config.tls.ca ? { ca: [...rootCertificates, config.tls.ca] } : {}),
      })
    : undefined;
  const tokens =
    oauth2 && tokenAgent
      ? new OAuth2TokenSource(oauth2, {
          agent: tokenAgent,
          timeoutMs: config.timeoutMs,
          ...(options.now ? { now: options.now } : {}),
        })
      : undefined;

  const url = new URL(config.url);
  const baseHeaders: http.OutgoingHttpHeaders = { 'content-type': 'application/json', 'user-agent': USER_AGENT };
  if (secretToken?.location === 'query') {
    // Appended by hand: rewriting through searchParams would re-encode the customer's own query string.
    const param = new URLSearchParams([[secretToken.name, secretToken.value]]).toString();
    url.search = url.search ? `${url.search}&${param}` : `?${param}`;
  }
  if (secretToken?.location === 'header') baseHeaders[secretToken.name.toLowerCase()] = secretToken.value;

  const send = (body: string, headers: http.OutgoingHttpHeaders, timeoutMs: number): Promise<PostResult> =>
    post(url, body, { agent: targetAgent, headers, timeoutMs });

  const deliverWithToken = async (body: string, tokenSource: OAuth2TokenSource): Promise<DeliveryResult> => {
    const started = performance.now();
    const first = await tokenSource.getToken();
    if (!first.ok) return { ok: false, reason: `oauth2: ${first.reason}`, latencyMs: performance.now() - started };
    const res = await send(body, { ...baseHeaders, authorization: `Bearer ${first.token}` }, config.timeoutMs);
    if (res.status !== 401) return { ...toResult(res), latencyMs: performance.now() - started };

    // Contract §3.4: a 401 discards the token and this one message is sent once more with a fresh one.
    tokenSource.invalidate(first.token);
    const second = await tokenSource.getToken();
    if (!second.ok) {
      return { ok: false, reason: `oauth2: ${second.reason} (refresh after 401)`, latencyMs: performance.now() - started };
    }
    const retry = await send(body, { ...baseHeaders, authorization: `Bearer ${second.token}` }, config.timeoutMs);
    const result = toResult(retry);
    return {
      ...result,
      reason: result.ok ? result.reason : `${result.reason} (after token refresh)`,
      latencyMs: performance.now() - started,
    };
  };

  return {
    async deliver(body) {
      if (tokens) return deliverWithToken(body, tokens);
      return toResult(await send(body, baseHeaders, config.timeoutMs));
    },
    close() {
      targetAgent.destroy();
      tokenAgent?.destroy();
    },
  };
}

function toResult(res: PostResult): DeliveryResult {
  if (res.status === undefined) return { ok: false, reason: res.error ?? 'error', latencyMs: res.latencyMs };
  const ok = res.status >= 200 && res.status <= 299;
  return { ok, status: res.status, reason: ok ? 'ok' : `status ${res.status}`, latencyMs: res.latencyMs };
}
