import { randomBytes } from 'node:crypto';

/**
 * The credentials an operator hands out (`npm run credentials`): public API pairs (`asapp-api-id` /
 * `asapp-api-secret`, one tenant each) and AudioHook pairs (the API key and client secret entered in
 * Genesys's AudioHook integration). Rotation adds a new pair and keeps the old one valid until it is
 * revoked, so no client is cut off while it switches over.
 */

export type CredentialKind = 'api' | 'audiohook';

export interface ApiPair {
  id: string;
  secret: string;
  tenant: string;
  createdAt: string;
  /** Set when a newer pair replaced it: still valid until revoked. */
  rotatedAt?: string;
}

export interface AudioHookPair {
  apiKey: string;
  /** Base64 (standard alphabet, padded) of 32 random bytes: the text Genesys's form takes. */
  clientSecret: string;
  createdAt: string;
  rotatedAt?: string;
}

export interface CredentialSet {
  api: ApiPair[];
  audiohook: AudioHookPair[];
}

/** What `list` shows: never a secret. */
export interface CredentialView {
  kind: CredentialKind;
  id: string;
  tenant?: string;
  createdAt: string;
  rotatedAt?: string;
  status: 'active' | 'rotated';
}

export class CredentialError extends Error {
  override name = 'CredentialError';
}

const ID = /^[A-Za-z0-9_-]{3,128}$/;
const TENANT = /^[A-Za-z0-9_.-]{1,64}$/;

/** URL-safe random text: `asapp-api-secret` travels in a header, so no `+`, `/` or `=`. */
function token(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}

export function newApiPair(tenant: string, id?: string, now = new Date()): ApiPair {
  if (!TENANT.test(tenant)) throw new CredentialError('tenant must be 1–64 characters of A–Z, a–z, 0–9, _ . -');
  if (id !== undefined && !ID.test(id)) throw new CredentialError('id must be 3–128 characters of A–Z, a–z, 0–9, _ -');
  return { id: id ?? `api-${token(12)}`, secret: token(32), tenant, createdAt: now.toISOString() };
}

export function newAudioHookPair(apiKey?: string, now = new Date()): AudioHookPair {
  // The gateway's key syntax (fargate-gateway/audiohook/api-keys.ts), without '=' to keep it simple to paste.
  if (apiKey !== undefined && !ID.test(apiKey)) throw new CredentialError('API key must be 3–128 characters of A–Z, a–z, 0–9, _ -');
  return { apiKey: apiKey ?? `ah-${token(18)}`, clientSecret: randomBytes(32).toString('base64'), createdAt: now.toISOString() };
}

function idOf(kind: CredentialKind, pair: ApiPair | AudioHookPair): string {
  return kind === 'api' ? (pair as ApiPair).id : (pair as AudioHookPair).apiKey;
}

export function view(set: CredentialSet): CredentialView[] {
  const out: CredentialView[] = [];
  for (const p of set.api) {
    out.push({
      kind: 'api',
      id: p.id,
      tenant: p.tenant,
      createdAt: p.createdAt,
      ...(p.rotatedAt ? { rotatedAt: p.rotatedAt } : {}),
      status: p.rotatedAt ? 'rotated' : 'active',
    });
  }
  for (const p of set.audiohook) {
    out.push({
      kind: 'audiohook',
      id: p.apiKey,
      createdAt: p.createdAt,
      ...(p.rotatedAt ? { rotatedAt: p.rotatedAt } : {}),
      status: p.rotatedAt ? 'rotated' : 'active',
    });
  }
  return out;
}

export function add(set: CredentialSet, kind: 'api', pair: ApiPair): CredentialSet;
export function add(set: CredentialSet, kind: 'audiohook', pair: AudioHookPair): CredentialSet;
export function add(set: CredentialSet, kind: CredentialKind, pair: ApiPair | AudioHookPair): CredentialSet {
  const id = idOf(kind, pair);
  if (set[kind].some((p) => idOf(kind, p) === id)) throw new CredentialError(`${kind} credential ${id} already exists`);
  return kind === 'api' ? { ...set, api: [...set.api, pair as ApiPair] } : { ...set, audiohook: [...set.audiohook, pair as AudioHookPair] };
}

/** A new pair beside the old one (same tenant); the old one is marked rotated and stays valid. */
export function rotate(
  set: CredentialSet,
  kind: CredentialKind,
  id: string,
  now = new Date(),
): { set: CredentialSet; created: ApiPair | AudioHookPair } {
  const old = find(set, kind, id);
  const mark = <T extends ApiPair | AudioHookPair>(list: T[]): T[] =>
    list.map((p) => (idOf(kind, p) === id ? { ...p, rotatedAt: now.toISOString() } : p));
  if (kind === 'api') {
    const created = newApiPair((old as ApiPair).tenant, undefined, now);
    return { set: { ...set, api: [...mark(set.api), created] }, created };
  }
  const created = newAudioHookPair(undefined, now);
  return { set: { ...set, audiohook: [...mark(set.audiohook), created] }, created };
}

export function revoke(set: CredentialSet, kind: CredentialKind, id: string): CredentialSet {
  find(set, kind, id);
  return kind === 'api'
    ? { ...set, api: set.api.filter((p) => p.id !== id) }
    : { ...set, audiohook: set.audiohook.filter((p) => p.apiKey !== id) };
}

function find(set: CredentialSet, kind: CredentialKind, id: string): ApiPair | AudioHookPair {
  const found = (set[kind] as Array<ApiPair | AudioHookPair>).find((p) => idOf(kind, p) === id);
  if (!found) throw new CredentialError(`no ${kind} credential ${id}`);
  return found;
}

/** The gateway's AUDIOHOOK_API_KEYS form: `key:secret,key:secret`. */
export function audioHookKeysEnv(pairs: readonly AudioHookPair[]): string {
  return pairs.map((p) => `${p.apiKey}:${p.clientSecret}`).join(',');
}

/** The API's API_CREDENTIALS form (and the Secrets Manager secret's): `[{"id","secret","tenant"}]`. */
export function apiCredentialsJson(pairs: readonly ApiPair[]): string {
  return JSON.stringify(pairs);
}
