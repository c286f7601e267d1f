import { inspect } from 'node:util';
import { logger } from '#core/logger.ts';

/**
 * The AudioHook API keys the gateway accepts, and their client secrets (§4.1), from the environment:
 *
 *   AUDIOHOOK_API_KEY=key  AUDIOHOOK_CLIENT_SECRET=<base64, optional>
 *   AUDIOHOOK_API_KEYS=key1:<base64>,key2:,key3:<base64>     (empty secret = key without a secret)
 *
 * Both forms may be combined. Error and warning texts name entries by position, never by key or
 * secret, because they end up in logs.
 */

interface ApiKeyEntry {
  /** Decoded HMAC key; null when the key is configured without a secret (unsigned requests). */
  readonly secret: Buffer | null;
}

export interface ApiKeySet {
  lookup(apiKey: string): ApiKeyEntry | undefined;
  readonly size: number;
}

export interface ParsedApiKeys {
  keys: ApiKeySet;
  warnings: string[];
}

export class ApiKeyConfigError extends Error {
  override name = 'ApiKeyConfigError';
}

/** The key syntax the reference client accepts (§3.1). */
const API_KEY = /^[A-Za-z0-9+/_-]+={0,2}$/;
// Standard alphabet only: Genesys takes the secret as base64 text and its decoder is not url-safe.
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2,3})?$/;
/**
 * Below this a secret is accepted with a warning: RFC 2104 wants HMAC keys at least as long as the
 * hash output (32 bytes), but refusing shorter ones would lock out integrations already configured
 * in Genesys; 16 bytes is where brute force stops being a practical worry.
 */
export const MIN_RECOMMENDED_SECRET_BYTES = 16;

type Env = Record<string, string | undefined>;

/** Parses the key configuration; throws ApiKeyConfigError listing every bad entry. */
export function parseApiKeys(env: Env): ParsedApiKeys {
  const entries = new Map<string, Buffer | null>();
  const errors: string[] = [];
  const warnings: string[] = [];

  const add = (where: string, key: string, secretText: string | undefined): void => {
    if (!API_KEY.test(key)) {
      errors.push(`${where}: API key must match [A-Za-z0-9+/_-]+ with at most two trailing '='`);
      return;
    }
    if (entries.has(key)) {
      errors.push(`${where}: API key configured twice`);
      return;
    }
    const secret = decodeSecret(where, secretText, errors, warnings);
    if (secret !== undefined) entries.set(key, secret);
  };

  const single = env.AUDIOHOOK_API_KEY?.trim();
  const singleSecret = env.AUDIOHOOK_CLIENT_SECRET?.trim();
  if (single) add('AUDIOHOOK_API_KEY', single, singleSecret);
  else if (singleSecret) errors.push('AUDIOHOOK_CLIENT_SECRET is set without AUDIOHOOK_API_KEY');

  const list = env.AUDIOHOOK_API_KEYS ?? '';
  // Empty entries are skipped so a trailing comma or a line break between entries is harmless.
  list
    .split(',')
    .map((entry) => entry.trim())
    .forEach((entry, index) => {
      if (entry === '') return;
      const where = `AUDIOHOOK_API_KEYS entry ${index + 1}`;
      const colon = entry.indexOf(':');
      // Required even for keys without a secret, so a forgotten colon cannot turn `key<secret>` into
      // an unsigned key.
      if (colon < 0) {
        errors.push(`${where}: expected 'key:secret' (write 'key:' for a key without a secret)`);
        return;
      }
      add(where, entry.slice(0, colon).trim(), entry.slice(colon + 1).trim());
    });

  if (errors.length > 0) throw new ApiKeyConfigError(`Invalid AudioHook API key configuration:\n  ${errors.join('\n  ')}`);
  return { keys: createApiKeySet(entries), warnings };
}

/** parseApiKeys with its warnings sent to the log; what the gateway calls at start-up. */
export function loadApiKeys(env: Env = process.env): ApiKeySet {
  const { keys, warnings } = parseApiKeys(env);
  for (const warning of warnings) logger.warn('AudioHook API key configuration', { warning });
  if (keys.size === 0) logger.warn('No AudioHook API key configured; every connection will be refused');
  return keys;
}

/** Builds a key set from decoded entries (tests, or configuration from another source). */
export function createApiKeySet(entries: Iterable<readonly [apiKey: string, secret: Buffer | null]>): ApiKeySet {
  const map = new Map<string, ApiKeyEntry>();
  // Copies, so the caller can wipe or reuse its buffers.
  for (const [key, secret] of entries) map.set(key, Object.freeze({ secret: secret === null ? null : Buffer.from(secret) }));
  // Secrets live only in this closure: logging or serialising the set shows the count, nothing more.
  const set: ApiKeySet & { toJSON(): unknown; [inspect.custom](): string } = {
    lookup: (apiKey) => map.get(apiKey),
    get size() {
      return map.size;
    },
    toJSON: () => ({ size: map.size }),
    [inspect.custom]: () => `ApiKeySet { size: ${map.size} }`,
  };
  return Object.freeze(set);
}

function decodeSecret(where: string, text: string | undefined, errors: string[], warnings: string[]): Buffer | null | undefined {
  if (!text) return null;
  if (!BASE64.test(text)) {
    errors.push(`${where}: client secret is not valid base64 (standard alphabet)`);
    return undefined;
  }
  const secret = Buffer.from(text, 'base64');
  if (secret.length === 0) {
    errors.push(`${where}: client secret decodes to no bytes`);
    return undefined;
  }
  if (secret.length < MIN_RECOMMENDED_SECRET_BYTES) {
    warnings.push(`${where}: client secret is only ${secret.length} bytes; ${MIN_RECOMMENDED_SECRET_BYTES} or more recommended`);
  }
  return secret;
}
