import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { parseDictionary, serializeDictionary, serializeInnerList, serializeString } from 'structured-headers';
import type { BareItem, Dictionary, InnerList, Item, Parameters } from 'structured-headers';
import type { NonceCache } from './nonce-cache.ts';

/**
 * HTTP message signature of the AudioHook upgrade request (AudioHook §4; RFC 9421 as Genesys uses it:
 * `hmac-sha256`, label `sig1`). Pure functions: no I/O, no logging, the clock is injected. The caller
 * (authenticate.ts) logs results and enforces the failure-time floor.
 */

/** What a signature is checked against. Header names are lower-case, as Node delivers them. */
export interface SignedRequest {
  /** Path plus query string exactly as received. */
  requestTarget: string;
  /** The `Host` header value. */
  authority: string;
  headers: Record<string, string | string[] | undefined>;
}

/** Result names of the reference verifier, plus REPLAY (§4.4). */
export type VerifyFailureCode = 'PRECONDITION' | 'INVALID' | 'UNSIGNED' | 'EXPIRED' | 'UNSUPPORTED' | 'FAILED' | 'REPLAY';

interface VerifySuccess {
  ok: true;
  apiKey: string;
  /** True only when a signature was present and its MAC verified. */
  signed: boolean;
  /** Tolerated oddities (§16), for the server log. */
  warnings: string[];
}

export interface VerifyFailure {
  ok: false;
  code: VerifyFailureCode;
  /** Precise cause, for server-side logs only; never contains key, secret, signature or nonce. */
  reason: string;
}

export type VerifyResult = VerifySuccess | VerifyFailure;

/**
 * Secret for an API key: the decoded HMAC key, `null` when the key is configured without a secret,
 * `undefined` when the key is unknown.
 */
export type SecretLookup = (apiKey: string) => Buffer | null | undefined;

export interface VerifyOptions {
  /** Unix time in seconds (fractions allowed). */
  now: () => number;
  /** Replay protection; omitted means none. A cache that answers later is checked by authenticate.ts. */
  nonceCache?: Pick<NonceCache, 'checkAndRemember'>;
}

/** The components Genesys signs, in its order (§4.2); all must be covered. */
export const REQUIRED_COMPONENTS = [
  '@request-target',
  '@authority',
  'audiohook-organization-id',
  'audiohook-session-id',
  'audiohook-correlation-id',
  'x-api-key',
] as const;

const SIGNATURE_LABEL = 'sig1';
const SIGNATURE_ALGORITHM = 'hmac-sha256';
/** Allowed clock skew between Genesys and us, in seconds (reference value). */
const MAX_CLOCK_SKEW = 3;
/** Oldest `created` accepted, in seconds, before subtracting the skew (reference value). */
const MAX_SIGNATURE_AGE = 10;
const MIN_NONCE_LENGTH = 22;
/** Lifetime the reference client gives its signatures. */
export const DEFAULT_SIGNATURE_LIFETIME = 30;

const MAC_BYTES = 32;
const DERIVED_COMPONENTS = new Set<string>(['@request-target', '@authority']);
// RFC 9421 §2.1 and §2.2.8 component parameters: recognised but not implemented, unlike junk.
const KNOWN_COMPONENT_PARAMS = new Set(['sf', 'key', 'bs', 'req', 'tr', 'name']);
const PARAM_TYPES: Record<string, 'string' | 'integer'> = {
  alg: 'string',
  created: 'integer',
  expires: 'integer',
  keyid: 'string',
  nonce: 'string',
};

interface SignatureParams {
  alg?: string;
  created?: number;
  expires?: number;
  keyid?: string;
  nonce?: string;
}

const fail = (code: VerifyFailureCode, reason: string): VerifyFailure => ({ ok: false, code, reason });

/**
 * Header value canonicalised as RFC 9421 §2.1 asks: obsolete line folding becomes one space, leading
 * and trailing whitespace goes, several instances are joined with ", ". Undefined when absent.
 */
export function canonicalHeaderValue(headers: SignedRequest['headers'], name: string): string | undefined {
  const value = headers[name];
  if (value === undefined) return undefined;
  if (typeof value === 'string') return canonicalise(value);
  return value.length === 0 ? undefined : value.map(canonicalise).join(', ');
}

function canonicalise(value: string): string {
  // Fold first: trimming first would leave a trailing fold's CRLF behind.
  return value.replace(/[ \t]*\r\n[ \t]+/g, ' ').replace(/^[ \t]+|[ \t]+$/g, '');
}

/**
 * The signature base of RFC 9421 §2.5 for a parsed and validated `Signature-Input` member. The last
 * line re-serialises the inner list rather than copying header text, so padding or whitespace tricks
 * in the raw header cannot change what is signed. Both signer and verifier build the base here.
 */
export function buildSignatureBase(request: SignedRequest, signatureInput: InnerList): string | VerifyFailure {
  const lines: string[] = [];
  for (const [id] of signatureInput[0]) {
    if (typeof id !== 'string') return fail('INVALID', 'Signature-Input lists a component that is not a string');
    const value = componentValue(request, id);
    if (value === undefined) return fail('PRECONDITION', `covered component ${quoted(id)} is not in the request`);
    // A line break would let one value forge further base lines.
    if (/[\r\n]/.test(value)) return fail('INVALID', `covered component ${quoted(id)} contains a line break`);
    lines.push(`${serializeString(id)}: ${value}`);
  }
  lines.push(`"@signature-params": ${serializeInnerList(signatureInput)}`);
  return lines.join('\n');
}

function componentValue(request: SignedRequest, name: string): string | undefined {
  switch (name) {
    case '@request-target':
      return request.requestTarget === '' ? undefined : request.requestTarget;
    case '@authority': {
      const authority = canonicalise(request.authority);
      return authority === '' ? undefined : authority;
    }
    default:
      return canonicalHeaderValue(request.headers, name);
  }
}

function hmac(key: Uint8Array, base: string): Buffer {
  return createHmac('sha256', key).update(base, 'utf8').digest();
}

/**
 * Verifies the upgrade request's signature (§4.4). Checks run in a fixed order and the first failure
 * is returned; an unknown key goes through the full MAC computation with a throw-away key so that it
 * fails like a wrong signature (FAILED), never earlier.
 */
export function verifySignature(request: SignedRequest, lookupSecret: SecretLookup, options: VerifyOptions): VerifyResult {
  const { headers } = request;
  const apiKey = canonicalHeaderValue(headers, 'x-api-key');
  if (apiKey === undefined || apiKey === '') return fail('PRECONDITION', 'X-API-KEY header missing');

  const secret = lookupSecret(apiKey);
  const rawInput = canonicalHeaderValue(headers, 'signature-input');
  const rawSignature = canonicalHeaderValue(headers, 'signature');
  const anySignatureHeader = !!rawInput || !!rawSignature;

  if (secret === null) {
    // Decision: a key configured without a secret is authenticated by the key alone, so a signature
    // adds nothing we could check. Genesys only signs when its integration has a secret, so this means
    // our configuration lags the integration's; rejecting would drop every call over a setting that
    // does not weaken the check we do make. Accept, and surface it as a warning to fix the config.
    const warnings = anySignatureHeader
      ? ['signature headers present but the API key has no secret configured; signature not verified']
      : [];
    return { ok: true, apiKey, signed: false, warnings };
  }
  if (!anySignatureHeader) {
    return secret === undefined
      ? fail('FAILED', 'unknown API key (unsigned request)')
      : fail('UNSIGNED', 'the API key has a secret but the request is unsigned');
  }

  const inputs = parseSignatureDictionary(rawInput, 'Signature-Input');
  if (!(inputs instanceof Map)) return inputs;
  const signatures = parseSignatureDictionary(rawSignature, 'Signature');
  if (!(signatures instanceof Map)) return signatures;
  if (inputs.size === 0) return fail('INVALID', 'Signature present without Signature-Input');
  if (signatures.size === 0) return fail('INVALID', 'Signature-Input present without Signature');

  // Genesys sends one signature labelled sig1; the reference takes the first entry otherwise.
  const label = inputs.has(SIGNATURE_LABEL) ? SIGNATURE_LABEL : (inputs.keys().next().value as string);
  const input = inputs.get(label)!;
  const signature = signatures.get(label);
  if (signature === undefined) return fail('INVALID', `Signature has no entry labelled ${quoted(label)}`);
  if (isInnerList(signature) || !(signature[0] instanceof ArrayBuffer)) {
    return fail('INVALID', `Signature entry ${quoted(label)} is not a byte sequence`);
  }
  if (!isInnerList(input)) return fail('INVALID', `Signature-Input entry ${quoted(label)} is not an inner list`);

  const warnings: string[] = [];
  const params = readParams(input[1], warnings);
  if ('ok' in params) return params;

  const now = options.now();
  const timing = checkTimes(params, now);
  if (timing !== undefined) return timing;

  const components = checkComponents(input[0]);
  if (components !== undefined) return components;

  if (params.nonce === undefined) return fail('PRECONDITION', 'nonce parameter missing');
  if (params.nonce.length < MIN_NONCE_LENGTH) {
    return fail('PRECONDITION', `nonce shorter than ${MIN_NONCE_LENGTH} characters (${params.nonce.length})`);
  }
  if (params.keyid === undefined) return fail('PRECONDITION', 'keyid parameter missing');
  if (params.keyid !== apiKey) return fail('PRECONDITION', 'keyid does not match X-API-KEY');
  if (params.alg !== undefined && params.alg !== SIGNATURE_ALGORITHM) {
    return fail('UNSUPPORTED', `signature algorithm ${quoted(params.alg)} is not supported`);
  }

  let base: string | VerifyFailure;
  try {
    base = buildSignatureBase(request, input);
  } catch {
    // serializeInnerList refuses values it cannot encode; parsed values always re-encode, so this is
    // belt and braces against a library change.
    return fail('INVALID', 'Signature-Input cannot be re-serialised');
  }
  if (typeof base !== 'string') return base;

  const expected = hmac(secret ?? randomBytes(MAC_BYTES), base);
  const received = Buffer.from(signature[0]);
  // The MAC length is public, so only equal-length buffers need the constant-time comparison.
  const match = received.length === expected.length && timingSafeEqual(received, expected);
  if (secret === undefined) return fail('FAILED', 'unknown API key');
  if (!match) return fail('FAILED', 'signatures do not match');

  if (options.nonceCache) {
    // Scoped by key so that one integration's nonces never collide with another's.
    const until = Math.min(params.expires ?? Infinity, params.created! + MAX_SIGNATURE_AGE) - MAX_CLOCK_SKEW;
    if (!options.nonceCache.checkAndRemember(`${apiKey} ${params.nonce}`, until, now)) {
      return fail('REPLAY', 'nonce already used by a signature that is still valid');
    }
  }
  return { ok: true, apiKey, signed: true, warnings };
}

/**
 * Parses a signature field (RFC 8941 §4.2.2) and accepts it only in its canonical serialization
 * (RFC 8941 §4.1), spacing aside. The parser alone is lenient where RFC 8941 lets it be, and each leniency lets one
 * signature travel in several spellings: a decimal `created=N.0` reads as the integer N, base64 without
 * its padding (or with stray bits in it) decodes to the same MAC, and a member repeated — two
 * `Signature` fields, a bogus one first — silently keeps the last. A legitimate signer cannot be hurt:
 * the signature base ends with the canonical serialization of its parameters (§2.3 of RFC 9421), so it
 * writes that form; any other spelling is someone else's rewrite and is rejected.
 */
function parseSignatureDictionary(raw: string | undefined, field: string): Dictionary | VerifyFailure {
  if (!raw) return new Map();
  let parsed: Dictionary;
  try {
    parsed = parseDictionary(raw);
  } catch (error) {
    // The parser's message names a position, never the input.
    return fail('INVALID', `${field} is not a structured dictionary: ${(error as Error).message}`);
  }
  let canonical: string;
  try {
    canonical = serializeDictionary(parsed);
  } catch {
    return fail('INVALID', `${field} cannot be re-serialised`);
  }
  if (withoutSpaces(canonical) !== withoutSpaces(raw)) {
    return fail('INVALID', `${field} is not in canonical form (repeated member, non-canonical number or byte sequence)`);
  }
  return parsed;
}

/**
 * The field without the spaces RFC 8941 lets a sender put between items and members (strings keep
 * theirs): spacing is tolerated, as the base re-serialises the parameters anyway; nothing else is.
 */
function withoutSpaces(field: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < field.length; i++) {
    const c = field[i];
    if (inString) {
      out += c;
      if (c === '\\') out += field[++i] ?? '';
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
      out += c;
    } else if (c !== ' ' && c !== '\t') out += c;
  }
  return out;
}

function isInnerList(member: Item | InnerList): member is InnerList {
  return Array.isArray(member[0]);
}

function readParams(params: Parameters, warnings: string[]): SignatureParams | VerifyFailure {
  const out: SignatureParams = {};
  for (const [key, value] of params) {
    const type = PARAM_TYPES[key];
    if (type === undefined) {
      // §16: the reference rejects these; the whole parameter list is under the MAC, so we tolerate.
      warnings.push(`unknown signature parameter ${quoted(key)} ignored`);
      continue;
    }
    if (type === 'string' && typeof value !== 'string') {
      return fail('INVALID', `signature parameter ${quoted(key)} must be a string`);
    }
    // A decimal with a zero fraction parses to an integer and re-serialises as one; harmless, as
    // the MAC covers the re-serialised form.
    if (type === 'integer' && !(typeof value === 'number' && Number.isSafeInteger(value) && value >= 0)) {
      return fail('INVALID', `signature parameter ${quoted(key)} must be a non-negative integer`);
    }
    (out as Record<string, BareItem>)[key] = value;
  }
  return out;
}

function checkTimes(params: SignatureParams, now: number): VerifyFailure | undefined {
  const { created, expires } = params;
  if (created === undefined) return fail('PRECONDITION', 'created parameter missing; signature age unknown');
  if (created > now + MAX_CLOCK_SKEW) {
    return fail('PRECONDITION', `created is more than ${MAX_CLOCK_SKEW} s in the future (created=${created}, now=${now})`);
  }
  if (expires !== undefined && expires < now + MAX_CLOCK_SKEW) {
    return fail('EXPIRED', `expires is less than ${MAX_CLOCK_SKEW} s away (expires=${expires}, now=${now})`);
  }
  if (created + MAX_SIGNATURE_AGE < now + MAX_CLOCK_SKEW) {
    return fail('EXPIRED', `signature older than ${MAX_SIGNATURE_AGE - MAX_CLOCK_SKEW} s (created=${created}, now=${now})`);
  }
  return undefined;
}

function checkComponents(items: Item[]): VerifyFailure | undefined {
  const seen = new Set<string>();
  for (const [name, componentParams] of items) {
    if (typeof name !== 'string') return fail('INVALID', 'Signature-Input lists a component that is not a string');
    if (name === '@signature-params') return fail('INVALID', '"@signature-params" must not be listed as a covered component');
    if (componentParams.size > 0) {
      const known = [...componentParams.keys()].some((key) => KNOWN_COMPONENT_PARAMS.has(key));
      return known
        ? fail('UNSUPPORTED', `component parameters are not supported (${quoted(name)})`)
        : fail('INVALID', `unknown component parameter on ${quoted(name)}`);
    }
    if (name.startsWith('@')) {
      if (!DERIVED_COMPONENTS.has(name)) return fail('UNSUPPORTED', `derived component ${quoted(name)} is not supported`);
    } else if (!/^[!#$%&'*+.^_`|~0-9a-z-]+$/.test(name)) {
      // Field names are tokens, and RFC 9421 requires them lower-cased.
      return fail('INVALID', `component ${quoted(name)} is not a lower-case field name`);
    } else if (name === 'signature') {
      return fail('UNSUPPORTED', 'covering the "signature" field is not supported');
    }
    if (seen.has(name)) return fail('INVALID', `component ${quoted(name)} listed twice`);
    seen.add(name);
  }
  const missing = REQUIRED_COMPONENTS.filter((name) => !seen.has(name));
  if (missing.length > 0) return fail('PRECONDITION', `signature does not cover ${missing.map(quoted).join(', ')}`);
  return undefined;
}

// Attacker-chosen text in reasons: quoted and bounded so a log line stays a log line.
function quoted(text: string): string {
  return JSON.stringify(text.length > 64 ? `${text.slice(0, 64)}…` : text);
}

export interface SignOptions {
  apiKey: string;
  /** Decoded HMAC key (the client secret after base64 decoding). */
  secret: Uint8Array;
  requestTarget: string;
  authority: string;
  organizationId: string;
  sessionId: string;
  correlationId: string;
  /** Default: 18 random bytes in base64, as the reference client sends. */
  nonce?: string;
  /** Unix seconds; default now. */
  created?: number;
  /** Unix seconds; default `created` + 30, like the reference client. */
  expires?: number;
}

// A type alias, not an interface, so it spreads into any header record.
export type SignatureHeaders = {
  'signature-input': string;
  signature: string;
};

/**
 * Signs an upgrade request the way Genesys does (the call simulator's side). Header values go through
 * the verifier's canonicalisation and base builder, so what is signed is what will be checked.
 */
export function signRequest(options: SignOptions): SignatureHeaders {
  const created = Math.floor(options.created ?? Date.now() / 1000);
  const expires = options.expires ?? created + DEFAULT_SIGNATURE_LIFETIME;
  const request: SignedRequest = {
    requestTarget: options.requestTarget,
    authority: options.authority,
    headers: {
      'audiohook-organization-id': options.organizationId,
      'audiohook-session-id': options.sessionId,
      'audiohook-correlation-id': options.correlationId,
      'x-api-key': options.apiKey,
    },
  };
  const params: Parameters = new Map<string, BareItem>([
    ['keyid', options.apiKey],
    ['nonce', options.nonce ?? randomBytes(18).toString('base64')],
    ['alg', SIGNATURE_ALGORITHM],
    ['created', created],
    ['expires', expires],
  ]);
  const input: InnerList = [REQUIRED_COMPONENTS.map((name): Item => [name, new Map()]), params];
  const base = buildSignatureBase(request, input);
  if (typeof base !== 'string') throw new RangeError(`cannot sign request: ${base.reason}`);
  const mac = hmac(options.secret, base);
  return {
    'signature-input': serializeDictionary(new Map([[SIGNATURE_LABEL, input]])),
    signature: serializeDictionary(new Map([[SIGNATURE_LABEL, [mac, new Map()] as Item]])),
  };
}
