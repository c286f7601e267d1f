import { readFile } from 'node:fs/promises';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { z } from 'zod';
import { parseWebhookAuthModes, type WebhookAuthMode } from '#core/contract/webhook-auth.ts';

/**
 * Webhook delivery settings (docs/api-contract.md §3.4, §3.5), read from the environment. In AWS the secret
 * fields come from one JSON secret in Secrets Manager (`WEBHOOK_SECRET_ARN`) whose keys are the same
 * variable names; locally they come from the environment or from files (`*_FILE`).
 */

type AuthMode = WebhookAuthMode;

interface TlsSettings {
  /** PEM bundle that replaces the system roots for the target. */
  ca?: string;
  cert?: string;
  key?: string;
  passphrase?: string;
}

interface SecretTokenSettings {
  name: string;
  location: 'header' | 'query';
  value: string;
}

export interface OAuth2Settings {
  tokenUrl: URL;
  clientId: string;
  clientSecret: string;
  scope?: string;
  audience?: string;
  /** RFC 6749 §2.3.1: HTTP Basic is the method servers must support, so it is the default. */
  clientAuth: 'basic' | 'post';
}

export interface WebhookConfig {
  url: URL;
  modes: ReadonlySet<AuthMode>;
  timeoutMs: number;
  deadlineMs: number;
  /** 1 = the contract's default (no retry). Above 1, SQS redelivers failed messages up to this many receives. */
  maxAttempts: number;
  retryBaseDelayMs: number;
  retryMaxDelayMs: number;
  /** Conversations delivered in parallel within one batch (one invocation); not the stack's concurrent batches. */
  parallelConversations: number;
  /** Needed only to shorten visibility of failed messages (backoff, prompt dead-lettering). */
  queueUrl?: string;
  /** When set, the function dead-letters failed messages itself, with the reason (dead-letter.ts). */
  deadLetterQueueUrl?: string;
  tls: TlsSettings;
  secretToken?: SecretTokenSettings;
  oauth2?: OAuth2Settings;
}

/** Variables that may hold secrets: they may come from the Secrets Manager JSON and are never echoed. */
const SECRET_KEYS = [
  'WEBHOOK_CA_PEM',
  'WEBHOOK_CLIENT_CERT_PEM',
  'WEBHOOK_CLIENT_KEY_PEM',
  'WEBHOOK_CLIENT_KEY_PASSPHRASE',
  'WEBHOOK_SECRET_TOKEN_VALUE',
  'WEBHOOK_OAUTH2_CLIENT_ID',
  'WEBHOOK_OAUTH2_CLIENT_SECRET',
] as const;

const PEM_FILE_KEYS = {
  WEBHOOK_CA_PEM: 'WEBHOOK_CA_FILE',
  WEBHOOK_CLIENT_CERT_PEM: 'WEBHOOK_CLIENT_CERT_FILE',
  WEBHOOK_CLIENT_KEY_PEM: 'WEBHOOK_CLIENT_KEY_FILE',
} as const;

export class WebhookConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid webhook configuration: ${problems.join('; ')}`);
    this.name = 'WebhookConfigError';
  }
}

export type Env = Readonly<Record<string, string | undefined>>;

/** Empty strings count as unset: CDK and shells often export empty variables. */
const optionalString = z.preprocess((v) => (v === '' ? undefined : v), z.string().optional());
const intSetting = (def: number, min: number, max: number) =>
  z.preprocess((v) => (v === '' || v === undefined ? def : v), z.coerce.number().int().min(min).max(max));

const envSchema = z.object({
  WEBHOOK_URL: z.string({ error: 'is required' }).min(1, 'is required'),
  WEBHOOK_AUTH_MODE: optionalString,
  WEBHOOK_TIMEOUT_MS: intSetting(5_000, 100, 60_000),
  WEBHOOK_DEADLINE_MS: intSetting(60_000, 1_000, 14 * 24 * 3_600_000),
  WEBHOOK_MAX_ATTEMPTS: intSetting(1, 1, 20),
  WEBHOOK_RETRY_BASE_DELAY_MS: intSetting(1_000, 0, 43_200_000),
  WEBHOOK_RETRY_MAX_DELAY_MS: intSetting(30_000, 0, 43_200_000),
  WEBHOOK_PARALLEL_CONVERSATIONS: intSetting(16, 1, 256),
  WEBHOOK_CONCURRENCY: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z.undefined({ error: 'was renamed WEBHOOK_PARALLEL_CONVERSATIONS (conversations delivered in parallel within a batch)' }),
  ),
  UTTERANCES_QUEUE_URL: optionalString,
  WEBHOOK_DLQ_URL: optionalString,
  WEBHOOK_CA_PEM: optionalString,
  WEBHOOK_CLIENT_CERT_PEM: optionalString,
  WEBHOOK_CLIENT_KEY_PEM: optionalString,
  WEBHOOK_CLIENT_KEY_PASSPHRASE: optionalString,
  WEBHOOK_SECRET_TOKEN_NAME: optionalString,
  WEBHOOK_SECRET_TOKEN_LOCATION: z.preprocess((v) => (v === '' || v === undefined ? 'header' : v), z.enum(['header', 'query'])),
  WEBHOOK_SECRET_TOKEN_VALUE: optionalString,
  WEBHOOK_OAUTH2_TOKEN_URL: optionalString,
  WEBHOOK_OAUTH2_CLIENT_ID: optionalString,
  WEBHOOK_OAUTH2_CLIENT_SECRET: optionalString,
  WEBHOOK_OAUTH2_SCOPE: optionalString,
  WEBHOOK_OAUTH2_AUDIENCE: optionalString,
  WEBHOOK_OAUTH2_CLIENT_AUTH: z.preprocess((v) => (v === '' || v === undefined ? 'basic' : v), z.enum(['basic', 'post'])),
});
type ParsedEnv = z.infer<typeof envSchema>;

const HEADER_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Node rejects CR, LF and NUL in header values, and its error message would echo the value.
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/**
 * Loads the configuration: the Secrets Manager overlay (if `WEBHOOK_SECRET_ARN` is set), then `*_FILE`
 * paths, then validation. `fetchSecret` is injected so tests and the local runtime need no AWS.
 */
export async function loadWebhookConfig(env: Env, fetchSecret?: (arn: string) => Promise<string>): Promise<WebhookConfig> {
  const merged: Record<string, string | undefined> = { ...env };
  const arn = env.WEBHOOK_SECRET_ARN;
  if (arn) {
    if (!fetchSecret) throw new WebhookConfigError(['WEBHOOK_SECRET_ARN is set but no secret reader is available']);
    Object.assign(merged, parseSecretJson(await fetchSecret(arn)));
  }
  const problems: string[] = [];
  for (const [pemKey, fileKey] of Object.entries(PEM_FILE_KEYS)) {
    const path = merged[fileKey];
    if (!path) continue;
    if (merged[pemKey]) {
      problems.push(`set either ${pemKey} or ${fileKey}, not both`);
      continue;
    }
    try {
      merged[pemKey] = await readFile(path, 'utf8');
    } catch (err) {
      problems.push(`${fileKey}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  if (problems.length > 0) throw new WebhookConfigError(problems);
  return parseWebhookConfig(merged);
}

/** The secret is a JSON object whose keys are variable names from SECRET_KEYS. */
export function parseSecretJson(secretString: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(secretString);
  } catch {
    throw new WebhookConfigError(['WEBHOOK_SECRET_ARN: the secret is not a JSON object']);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new WebhookConfigError(['WEBHOOK_SECRET_ARN: the secret is not a JSON object']);
  }
  const problems: string[] = [];
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (!(SECRET_KEYS as readonly string[]).includes(key)) {
      problems.push(`WEBHOOK_SECRET_ARN: unexpected key ${JSON.stringify(key)} (allowed: ${SECRET_KEYS.join(', ')})`);
    } else if (typeof value !== 'string') {
      problems.push(`WEBHOOK_SECRET_ARN: ${key} must be a string`);
    } else {
      out[key] = value;
    }
  }
  if (problems.length > 0) throw new WebhookConfigError(problems);
  return out;
}

/** Synchronous validation of already-resolved values; every message names variables, never their values. */
export function parseWebhookConfig(env: Env): WebhookConfig {
  const result = envSchema.safeParse(env);
  if (!result.success) {
    throw new WebhookConfigError(result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const e = result.data;
  const problems: string[] = [];

  const modes = parseModes(e.WEBHOOK_AUTH_MODE, problems);
  const url = parseUrl('WEBHOOK_URL', e.WEBHOOK_URL, problems);
  if (url && url.protocol === 'http:' && !(modes.size === 1 && modes.has('none'))) {
    problems.push('WEBHOOK_URL must use https when WEBHOOK_AUTH_MODE is not none');
  }
  if (url && url.username) problems.push('WEBHOOK_URL must not contain credentials');

  const tls = checkTls(e, modes, problems);
  const secretToken = checkSecretToken(e, modes, problems);
  const oauth2 = checkOAuth2(e, modes, problems);
  if (e.WEBHOOK_RETRY_MAX_DELAY_MS < e.WEBHOOK_RETRY_BASE_DELAY_MS) {
    problems.push('WEBHOOK_RETRY_MAX_DELAY_MS must not be below WEBHOOK_RETRY_BASE_DELAY_MS');
  }
  if (problems.length > 0 || !url) throw new WebhookConfigError(problems);

  return {
    url,
    modes,
    timeoutMs: e.WEBHOOK_TIMEOUT_MS,
    deadlineMs: e.WEBHOOK_DEADLINE_MS,
    maxAttempts: e.WEBHOOK_MAX_ATTEMPTS,
    retryBaseDelayMs: e.WEBHOOK_RETRY_BASE_DELAY_MS,
    retryMaxDelayMs: e.WEBHOOK_RETRY_MAX_DELAY_MS,
    parallelConversations: e.WEBHOOK_PARALLEL_CONVERSATIONS,
    ...(e.UTTERANCES_QUEUE_URL ? { queueUrl: e.UTTERANCES_QUEUE_URL } : {}),
    ...(e.WEBHOOK_DLQ_URL ? { deadLetterQueueUrl: e.WEBHOOK_DLQ_URL } : {}),
    tls,
    ...(secretToken ? { secretToken } : {}),
    ...(oauth2 ? { oauth2 } : {}),
  };
}

function parseModes(raw: string | undefined, problems: string[]): Set<AuthMode> {
  const parsed = parseWebhookAuthModes(raw, 'WEBHOOK_AUTH_MODE');
  problems.push(...parsed.problems);
  return parsed.modes;
}

function parseUrl(name: string, raw: string, problems: string[]): URL | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    // The URL may carry a secret in its query string, so it is not echoed.
    problems.push(`${name} is not a valid URL`);
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    problems.push(`${name} must be an http(s) URL`);
    return undefined;
  }
  return url;
}

/** A field that belongs to a mode that is not selected is an error: it usually means a typo in the mode. */
function requireFor(
  mode: AuthMode,
  modes: ReadonlySet<AuthMode>,
  fields: Array<[string, string | undefined]>,
  problems: string[],
): boolean {
  const on = modes.has(mode);
  for (const [name, value] of fields) {
    if (on && value === undefined) problems.push(`${name} is required when WEBHOOK_AUTH_MODE includes ${mode}`);
    if (!on && value !== undefined) problems.push(`${name} is set but WEBHOOK_AUTH_MODE does not include ${mode}`);
  }
  return on;
}

function checkTls(e: ParsedEnv, modes: ReadonlySet<AuthMode>, problems: string[]): TlsSettings {
  const tls: TlsSettings = {};
  if (requireFor('custom-ca', modes, [['WEBHOOK_CA_PEM (or WEBHOOK_CA_FILE)', e.WEBHOOK_CA_PEM]], problems)) {
    const blocks = (e.WEBHOOK_CA_PEM ?? '').match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    if (blocks.length === 0) problems.push('WEBHOOK_CA_PEM contains no PEM certificate');
    // Not required to be CA certificates: a customer may pin their target's self-signed certificate.
    for (const [i, block] of blocks.entries()) {
      try {
        new X509Certificate(block);
      } catch {
        problems.push(`WEBHOOK_CA_PEM: certificate ${i + 1} cannot be parsed`);
      }
    }
    tls.ca = e.WEBHOOK_CA_PEM;
  }
  const mtls = requireFor(
    'mtls',
    modes,
    [
      ['WEBHOOK_CLIENT_CERT_PEM (or WEBHOOK_CLIENT_CERT_FILE)', e.WEBHOOK_CLIENT_CERT_PEM],
      ['WEBHOOK_CLIENT_KEY_PEM (or WEBHOOK_CLIENT_KEY_FILE)', e.WEBHOOK_CLIENT_KEY_PEM],
    ],
    problems,
  );
  if (!mtls && e.WEBHOOK_CLIENT_KEY_PASSPHRASE !== undefined) {
    problems.push('WEBHOOK_CLIENT_KEY_PASSPHRASE is set but WEBHOOK_AUTH_MODE does not include mtls');
  }
  if (mtls && e.WEBHOOK_CLIENT_CERT_PEM && e.WEBHOOK_CLIENT_KEY_PEM) {
    checkClientPair(e.WEBHOOK_CLIENT_CERT_PEM, e.WEBHOOK_CLIENT_KEY_PEM, e.WEBHOOK_CLIENT_KEY_PASSPHRASE, problems);
    tls.cert = e.WEBHOOK_CLIENT_CERT_PEM;
    tls.key = e.WEBHOOK_CLIENT_KEY_PEM;
    if (e.WEBHOOK_CLIENT_KEY_PASSPHRASE) tls.passphrase = e.WEBHOOK_CLIENT_KEY_PASSPHRASE;
  }
  return tls;
}

/** Catching a mismatched or unreadable pair at start-up beats a TLS failure on every message. */
function checkClientPair(certPem: string, keyPem: string, passphrase: string | undefined, problems: string[]): void {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
  } catch {
    problems.push('WEBHOOK_CLIENT_CERT_PEM cannot be parsed as a PEM certificate');
    return;
  }
  let key;
  try {
    key = createPrivateKey(passphrase ? { key: keyPem, passphrase } : keyPem);
  } catch {
    problems.push('WEBHOOK_CLIENT_KEY_PEM cannot be parsed as a PEM private key (or the passphrase is wrong)');
    return;
  }
  if (!cert.checkPrivateKey(key)) problems.push('WEBHOOK_CLIENT_KEY_PEM does not match WEBHOOK_CLIENT_CERT_PEM');
  if (Date.parse(cert.validTo) < Date.now()) problems.push('WEBHOOK_CLIENT_CERT_PEM has expired');
}

function checkSecretToken(e: ParsedEnv, modes: ReadonlySet<AuthMode>, problems: string[]): SecretTokenSettings | undefined {
  const on = requireFor(
    'secret-token',
    modes,
    [
      ['WEBHOOK_SECRET_TOKEN_NAME', e.WEBHOOK_SECRET_TOKEN_NAME],
      ['WEBHOOK_SECRET_TOKEN_VALUE', e.WEBHOOK_SECRET_TOKEN_VALUE],
    ],
    problems,
  );
  if (!on || !e.WEBHOOK_SECRET_TOKEN_NAME || e.WEBHOOK_SECRET_TOKEN_VALUE === undefined) return undefined;
  const location = e.WEBHOOK_SECRET_TOKEN_LOCATION;
  if (location === 'header') {
    if (!HEADER_TOKEN.test(e.WEBHOOK_SECRET_TOKEN_NAME)) {
      problems.push('WEBHOOK_SECRET_TOKEN_NAME is not a valid HTTP header name');
    } else if (
      ['content-type', 'content-length', 'host', 'connection', 'transfer-encoding'].includes(e.WEBHOOK_SECRET_TOKEN_NAME.toLowerCase())
    ) {
      problems.push('WEBHOOK_SECRET_TOKEN_NAME must not be a header the client sets itself');
    }
    if (!HEADER_VALUE.test(e.WEBHOOK_SECRET_TOKEN_VALUE)) {
      problems.push('WEBHOOK_SECRET_TOKEN_VALUE contains characters not allowed in an HTTP header');
    }
  }
  return { name: e.WEBHOOK_SECRET_TOKEN_NAME, location, value: e.WEBHOOK_SECRET_TOKEN_VALUE };
}

function checkOAuth2(e: ParsedEnv, modes: ReadonlySet<AuthMode>, problems: string[]): OAuth2Settings | undefined {
  const on = requireFor(
    'oauth2',
    modes,
    [
      ['WEBHOOK_OAUTH2_TOKEN_URL', e.WEBHOOK_OAUTH2_TOKEN_URL],
      ['WEBHOOK_OAUTH2_CLIENT_ID', e.WEBHOOK_OAUTH2_CLIENT_ID],
      ['WEBHOOK_OAUTH2_CLIENT_SECRET', e.WEBHOOK_OAUTH2_CLIENT_SECRET],
    ],
    problems,
  );
  for (const [name, value] of [
    ['WEBHOOK_OAUTH2_SCOPE', e.WEBHOOK_OAUTH2_SCOPE],
    ['WEBHOOK_OAUTH2_AUDIENCE', e.WEBHOOK_OAUTH2_AUDIENCE],
  ] as const) {
    if (!on && value !== undefined) problems.push(`${name} is set but WEBHOOK_AUTH_MODE does not include oauth2`);
  }
  if (!on || !e.WEBHOOK_OAUTH2_TOKEN_URL || !e.WEBHOOK_OAUTH2_CLIENT_ID || !e.WEBHOOK_OAUTH2_CLIENT_SECRET) {
    return undefined;
  }
  const tokenUrl = parseUrl('WEBHOOK_OAUTH2_TOKEN_URL', e.WEBHOOK_OAUTH2_TOKEN_URL, problems);
  // The client secret travels to this URL: never over cleartext.
  if (tokenUrl && tokenUrl.protocol !== 'https:') problems.push('WEBHOOK_OAUTH2_TOKEN_URL must use https');
  if (!tokenUrl) return undefined;
  return {
    tokenUrl,
    clientId: e.WEBHOOK_OAUTH2_CLIENT_ID,
    clientSecret: e.WEBHOOK_OAUTH2_CLIENT_SECRET,
    ...(e.WEBHOOK_OAUTH2_SCOPE ? { scope: e.WEBHOOK_OAUTH2_SCOPE } : {}),
    ...(e.WEBHOOK_OAUTH2_AUDIENCE ? { audience: e.WEBHOOK_OAUTH2_AUDIENCE } : {}),
    clientAuth: e.WEBHOOK_OAUTH2_CLIENT_AUTH,
  };
}
