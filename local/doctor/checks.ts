import { randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import tls from 'node:tls';
import type { PeerCertificate } from 'node:tls';
import { AUDIOHOOK_PATH } from '#core/contract/gateway-endpoints.ts';
import { PROBE_CONVERSATION_ID } from '#gateway/audiohook/messages.ts';
import { AudioHookClient, UpgradeRefusedError } from '../simulator/client.ts';
import { startStopApi } from '../simulator/control-api.ts';
import { simulateCall } from '../simulator/simulate-call.ts';
import type { CallAudio } from '../simulator/simulate-call.ts';

/**
 * The checks of `npm run doctor`: what a Genesys admin wants to know after deploying, each answered in
 * plain language. Every check returns a verdict and never throws.
 */

type Status = 'pass' | 'warn' | 'fail' | 'skip';

export interface Verdict {
  step: string;
  status: Status;
  /** One sentence a person can act on. */
  summary: string;
  details?: Record<string, unknown>;
}

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));
const DAY_MS = 86_400_000;

/** The certificate a TLS endpoint presents: trusted chain, host name, validity. */
export async function checkTls(url: URL, options: { ca?: string; timeoutMs?: number; now?: number } = {}): Promise<Verdict> {
  const step = `TLS certificate of ${url.host}`;
  if (url.protocol !== 'wss:' && url.protocol !== 'https:') {
    return {
      step,
      status: 'warn',
      summary: `${url.protocol}// is not encrypted; Genesys Cloud connects only to wss:// and the API should be https://`,
    };
  }
  const host = url.hostname;
  const port = Number(url.port || 443);
  return new Promise((resolve) => {
    const socket = tls.connect({
      host,
      port,
      ...(isIP(host) ? {} : { servername: host }),
      rejectUnauthorized: false,
      ...(options.ca ? { ca: options.ca } : {}),
    });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ step, status: 'fail', summary: `no TLS handshake with ${url.host} within ${(options.timeoutMs ?? 5_000) / 1000} s` });
    }, options.timeoutMs ?? 5_000);
    socket.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ step, status: 'fail', summary: `cannot connect to ${url.host}: ${e.code ?? e.message}` });
    });
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      const cert = socket.getPeerCertificate(true);
      socket.end();
      resolve(judgeCertificate(step, host, cert, socket.authorized, socket.authorizationError, options.now ?? Date.now()));
    });
  });
}

function judgeCertificate(
  step: string,
  host: string,
  cert: PeerCertificate,
  authorized: boolean,
  error: Error | string | null | undefined,
  now: number,
): Verdict {
  const chain: string[] = [];
  for (
    let c: PeerCertificate | undefined = cert, seen = new Set<string>();
    c && c.fingerprint256 && !seen.has(c.fingerprint256);
    c = (c as tls.DetailedPeerCertificate).issuerCertificate
  ) {
    seen.add(c.fingerprint256);
    chain.push(String(c.subject?.CN ?? c.subject?.O ?? '(no name)'));
  }
  const validTo = Date.parse(cert.valid_to);
  const daysLeft = Math.floor((validTo - now) / DAY_MS);
  const details = {
    subject: cert.subject?.CN,
    issuer: cert.issuer?.CN ?? cert.issuer?.O,
    validTo: new Date(validTo).toISOString(),
    daysLeft,
    chain,
  };
  const identity = tls.checkServerIdentity(host, cert);
  if (!authorized) {
    return {
      step,
      status: 'fail',
      summary: `the certificate is not trusted (${String(error)}): Genesys will refuse the connection; serve the full chain from a public CA`,
      details,
    };
  }
  if (identity) return { step, status: 'fail', summary: `the certificate does not name ${host} (${identity.message})`, details };
  if (daysLeft < 0) return { step, status: 'fail', summary: `the certificate expired on ${details.validTo}`, details };
  const base = `trusted certificate for ${host}, issued by ${String(details.issuer)}, chain of ${chain.length}, valid until ${details.validTo.slice(0, 10)}`;
  if (daysLeft < 30) return { step, status: 'warn', summary: `${base}: expires in ${daysLeft} days, renew it soon`, details };
  return { step, status: 'pass', summary: `${base} (${daysLeft} days left)`, details };
}

export interface AudioHookCredentials {
  apiKey: string;
  clientSecret?: string;
}

/** Genesys's connection probe: a session for the all-zero conversation, opened and closed at once. */
export async function checkProbe(url: string, creds: AudioHookCredentials): Promise<Verdict> {
  const step = 'connection probe';
  const client = new AudioHookClient({ url, ...creds, conversationId: PROBE_CONVERSATION_ID });
  try {
    await client.connect();
  } catch (e) {
    return connectFailure(step, new URL(url), e);
  }
  try {
    const opened = await client.open();
    if (opened.type !== 'opened') {
      return {
        step,
        status: 'fail',
        summary: `the gateway answered the probe with ${opened.type} (${JSON.stringify(opened.parameters).slice(0, 200)}): check the API key and client secret`,
      };
    }
    const closed = await client.close();
    return closed?.type === 'closed'
      ? {
          step,
          status: 'pass',
          summary:
            'the gateway accepted the signed connection probe and closed it cleanly, as Genesys expects when you save the integration',
        }
      : { step, status: 'warn', summary: 'the probe was opened but not closed with closed' };
  } catch (e) {
    await client.drop().catch(() => undefined);
    return { step, status: 'fail', summary: `the probe session failed: ${errorText(e)}` };
  } finally {
    await client.drop().catch(() => undefined);
  }
}

const NETWORK_ERRORS = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET']);

/** Why the WebSocket could not be opened, in words that point at the fix. `unreachable`: no connection at all. */
function connectFailure(step: string, url: URL, e: unknown): Verdict {
  if (e instanceof UpgradeRefusedError) {
    const hint =
      e.status === 401 || e.status === 403
        ? 'check the API key and the client secret'
        : e.status === 404
          ? `nothing listens on ${url.pathname}: check the path of the connection URI (the gateway's is ${AUDIOHOOK_PATH} unless AUDIOHOOK_PATH changes it)`
          : e.status === 503 || e.status === 429
            ? 'the gateway is busy or draining: try again, and check the service has running tasks'
            : 'check the URL and what sits in front of the gateway (load balancer, proxy)';
    return { step, status: 'fail', summary: `the gateway refused the WebSocket upgrade with HTTP ${e.status}: ${hint}` };
  }
  const code = (e as NodeJS.ErrnoException).code;
  if (code && NETWORK_ERRORS.has(code)) {
    return {
      step,
      status: 'fail',
      summary: `cannot reach ${url.host} (${code}): check the host name, DNS, the load balancer and that the gateway service is running`,
      details: { unreachable: true },
    };
  }
  return { step, status: 'fail', summary: `the WebSocket connection failed (${code ?? errorText(e)}): see the TLS check above` };
}

export interface CallCheckOptions {
  url: string;
  creds: AudioHookCredentials;
  audio: CallAudio;
  /** Base URL and credentials of the public API; without them start/stop are skipped. */
  api?: { baseUrl: string; apiId: string; apiSecret: string };
}

/** A signed session with a short synthetic call, with start- and stop-streaming around it. */
export async function checkCall(options: CallCheckOptions): Promise<Verdict[]> {
  const conversationId = randomUUID();
  const api = options.api ? startStopApi(options.api) : undefined;
  let start: Verdict = {
    step: 'start-streaming',
    status: 'skip',
    summary: 'no API URL and credentials given (--api-url, --api-id, API_SECRET)',
  };
  let stop: Verdict = { ...start, step: 'stop-streaming' };
  try {
    const call = await simulateCall({
      url: options.url,
      ...options.creds,
      conversationId,
      audio: options.audio,
      afterOpened: async () => {
        if (!api) return;
        const r = await api.start({ guid: conversationId, customerId: 'DOCTOR-CUSTOMER', agentId: 'DOCTOR-AGENT' });
        start =
          r.status === 200
            ? { step: 'start-streaming', status: 'pass', summary: 'the API started transcription of the live call' }
            : {
                step: 'start-streaming',
                status: 'fail',
                summary: `start-streaming answered ${r.status}: ${JSON.stringify(r.body).slice(0, 300)}`,
              };
      },
      beforeClose: async () => {
        if (!api) return;
        const r = await api.stop(conversationId);
        const body = r.body as { autotranscribeResponse?: Record<string, { summary?: { transcripts?: number } }> };
        const transcripts = ['customer', 'agent'].reduce(
          (n, role) => n + (body.autotranscribeResponse?.[role]?.summary?.transcripts ?? 0),
          0,
        );
        stop =
          r.status === 200
            ? {
                step: 'stop-streaming',
                status: 'pass',
                summary: `the API stopped transcription and reported ${transcripts} utterance${transcripts === 1 ? '' : 's'}`,
                details: { transcripts },
              }
            : {
                step: 'stop-streaming',
                status: 'fail',
                summary: `stop-streaming answered ${r.status}: ${JSON.stringify(r.body).slice(0, 300)}`,
              };
      },
    });
    const session: Verdict =
      call.violations.length === 0 && call.client.closeCode !== undefined
        ? {
            step: 'signed session',
            status: 'pass',
            summary: `a signed session streamed ${(call.audioMsSent / 1000).toFixed(1)} s of call audio and closed cleanly`,
            details: { conversationId },
          }
        : {
            step: 'signed session',
            status: 'fail',
            summary: `the session did not follow the protocol: ${call.violations.slice(0, 3).join('; ') || 'not closed'}`,
            details: { conversationId },
          };
    return [session, start, stop];
  } catch (e) {
    return [
      { step: 'signed session', status: 'fail', summary: `the synthetic call failed: ${errorText(e)}`, details: { conversationId } },
      start,
      stop,
    ];
  }
}

/** One transcript webhook to the target with the webhook's own settings and authentication. */
export async function checkWebhook(env: Record<string, string | undefined>): Promise<Verdict> {
  const step = 'webhook';
  if (!env.WEBHOOK_URL) return { step, status: 'skip', summary: 'no webhook target given (--webhook-url or WEBHOOK_URL)' };
  const { loadWebhookConfig } = await import('#core/webhook/config.ts');
  const { secretsManagerReader } = await import('#core/webhook/secrets.ts');
  const { createDeliverer } = await import('#core/webhook/deliver.ts');
  const { webhookBody } = await import('#core/webhook/body.ts');
  const { syntheticCall } = await import('#core/load/synthetic-call.ts');
  let config;
  try {
    config = await loadWebhookConfig(env, env.WEBHOOK_SECRET_ARN ? secretsManagerReader() : undefined);
  } catch (e) {
    return { step, status: 'fail', summary: `the webhook settings are not usable: ${errorText(e)}` };
  }
  const [first] = syntheticCall({ conversationId: randomUUID(), durationMs: 20_000 });
  const deliverer = createDeliverer(config);
  try {
    const r = await deliverer.deliver(JSON.stringify(webhookBody(first!.utterance)));
    const target = `${config.url.origin}${config.url.pathname}`;
    return r.ok
      ? {
          step,
          status: 'pass',
          summary: `${target} accepted a transcript webhook (${r.status}, ${Math.round(r.latencyMs)} ms, auth ${[...config.modes].join('+')})`,
        }
      : { step, status: 'fail', summary: `${target} did not accept a transcript webhook: ${r.reason}` };
  } finally {
    deliverer.close();
  }
}
