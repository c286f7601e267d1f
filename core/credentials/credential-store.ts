import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { DescribeSecretCommand, GetSecretValueCommand, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { AUDIOHOOK_SECRET_FIELDS } from '#core/contract/audiohook-secret.ts';
import { DEFAULT_TENANT } from '#core/contract/tenant.ts';
import { audioHookKeysEnv, CredentialError } from './credential-set.ts';
import type { ApiPair, AudioHookPair, CredentialSet } from './credential-set.ts';

/**
 * Where credentials live. Locally: one JSON file, readable by its owner only, that `npm start` reads.
 * In AWS: the stack's two Secrets Manager secrets, in the shapes the services read — the API secret is
 * the `[{"id","secret","tenant"}]` list `API_CREDENTIALS_SECRET_ARN` names (extra fields are ignored by
 * the API), the AudioHook secret keeps `apiKey`/`clientSecret` (the newest pair, what the gateway task
 * is given) plus `apiKeys`, the older pairs still valid in the gateway's `AUDIOHOOK_API_KEYS` form.
 */
export interface CredentialStore {
  /** For messages: the file path or the secret ids. Never a secret. */
  readonly where: string;
  load(): Promise<CredentialSet>;
  save(set: CredentialSet): Promise<void>;
}

export function fileCredentialStore(path: string): CredentialStore {
  return {
    where: path,
    async load() {
      if (!existsSync(path)) return { api: [], audiohook: [] };
      return parseSet(readFileSync(path, 'utf8'), path);
    },
    async save(set) {
      mkdirSync(dirname(path), { recursive: true });
      // Written aside and renamed: a crash never leaves half a file, and the file is never readable by others.
      const tmp = `${path}.${process.pid}.tmp`;
      writeFileSync(tmp, `${JSON.stringify(set, null, 2)}\n`, { mode: 0o600 });
      chmodSync(tmp, 0o600);
      renameSync(tmp, path);
    },
  };
}

/** Reads the local file's shape; messages name the file, never a value. */
export function parseSet(text: string, where: string): CredentialSet {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new CredentialError(`${where} is not valid JSON`);
  }
  const v = value as Partial<CredentialSet> | null;
  if (!v || typeof v !== 'object' || !Array.isArray(v.api ?? []) || !Array.isArray(v.audiohook ?? [])) {
    throw new CredentialError(`${where} must be {"api": […], "audiohook": […]}`);
  }
  return { api: (v.api ?? []).map((p) => apiPair(p, where)), audiohook: (v.audiohook ?? []).map((p) => audioHookPair(p, where)) };
}

export interface SecretsManagerStoreOptions {
  client: SecretsManagerClient;
  /** ApiCredentialsSecretArn of the stack (or API_CREDENTIALS_SECRET_ARN). */
  apiSecretId?: string;
  /** AudioHookSecretArn of the stack. */
  audiohookSecretId?: string;
}

export function secretsManagerCredentialStore(o: SecretsManagerStoreOptions): CredentialStore {
  /** Each secret's AWSCURRENT version when it was read, and what was read from it in the shape it is written in. */
  const read = new Map<string, { versionId: string | undefined; text: string }>();
  const get = async (id: string) => {
    const out = await o.client.send(new GetSecretValueCommand({ SecretId: id }));
    return { versionId: out.VersionId, text: out.SecretString };
  };
  /**
   * Writes a secret only when its credentials changed (so a command about one kind leaves the other
   * secret alone, even in the stack's first single-pair shape), and only when nobody changed it since it was read:
   * two operators rotating at once would otherwise each drop the other's new pair. (Secrets Manager has
   * no conditional write; the check narrows the window to a round trip.)
   */
  const put = async (id: string, value: string) => {
    const before = read.get(id);
    if (!before) throw new CredentialError(`${id} was not read before writing`);
    if (before.text === value) return;
    const described = await o.client.send(new DescribeSecretCommand({ SecretId: id }));
    const current = Object.entries(described.VersionIdsToStages ?? {}).find(([, stages]) => stages.includes('AWSCURRENT'))?.[0];
    if (current !== before.versionId) {
      throw new CredentialError(
        `${id} changed since it was read (someone else changed it at the same time); nothing was written, run the command again`,
      );
    }
    const out = await o.client.send(new PutSecretValueCommand({ SecretId: id, SecretString: value }));
    read.set(id, { versionId: out.VersionId, text: value });
  };
  return {
    where: [o.apiSecretId && `API secret ${o.apiSecretId}`, o.audiohookSecretId && `AudioHook secret ${o.audiohookSecretId}`]
      .filter(Boolean)
      .join(', '),
    async load() {
      const set: CredentialSet = { api: [], audiohook: [] };
      if (o.apiSecretId) {
        const { versionId, text } = await get(o.apiSecretId);
        set.api = parseApiSecret(text ?? '[]', o.apiSecretId);
        read.set(o.apiSecretId, { versionId, text: JSON.stringify(set.api) });
      }
      if (o.audiohookSecretId) {
        const { versionId, text } = await get(o.audiohookSecretId);
        set.audiohook = parseAudioHookSecret(text ?? '{}', o.audiohookSecretId);
        read.set(o.audiohookSecretId, { versionId, text: JSON.stringify(audioHookSecret(set.audiohook)) });
      }
      return set;
    },
    async save(set) {
      if (o.apiSecretId) await put(o.apiSecretId, JSON.stringify(set.api));
      else if (set.api.length > 0) throw new CredentialError('no API credentials secret given (--api-secret-id)');
      if (o.audiohookSecretId) await put(o.audiohookSecretId, JSON.stringify(audioHookSecret(set.audiohook)));
      else if (set.audiohook.length > 0) throw new CredentialError('no AudioHook secret given (--audiohook-secret-id)');
    },
  };
}

/** The stack generates a single `{"id","secret","tenant"}`; after the first save it is a list. */
export function parseApiSecret(text: string, where: string): ApiPair[] {
  const value = parseJson(text, where) as unknown;
  const list = Array.isArray(value) ? value : ((value as { credentials?: unknown })?.credentials ?? [value]);
  if (!Array.isArray(list)) throw new CredentialError(`${where}: not a list of API credentials`);
  return list.map((p: unknown) => apiPair(p, where));
}

export function parseAudioHookSecret(text: string, where: string): AudioHookPair[] {
  const value = parseJson(text, where) as { apiKey?: unknown; clientSecret?: unknown; createdAt?: unknown; pairs?: unknown };
  if (Array.isArray(value.pairs)) return value.pairs.map((p: unknown) => audioHookPair(p, where));
  if (value.apiKey === undefined) return [];
  return [audioHookPair({ apiKey: value.apiKey, clientSecret: value.clientSecret, createdAt: value.createdAt ?? 'unknown' }, where)];
}

/** The newest active pair as the primary; every other pair still valid in `apiKeys`. */
export function audioHookSecret(pairs: readonly AudioHookPair[]): Record<string, unknown> {
  const primary = [...pairs].reverse().find((p) => !p.rotatedAt) ?? pairs.at(-1);
  if (!primary) return {};
  const f = AUDIOHOOK_SECRET_FIELDS;
  return {
    [f.AUDIOHOOK_API_KEY]: primary.apiKey,
    [f.AUDIOHOOK_CLIENT_SECRET]: primary.clientSecret,
    [f.AUDIOHOOK_API_KEYS]: audioHookKeysEnv(pairs.filter((p) => p !== primary)),
    pairs,
  };
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new CredentialError(`${where}: the secret is not JSON`);
  }
}

function str(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0;
}

function apiPair(p: unknown, where: string): ApiPair {
  const o = p as Record<string, unknown>;
  if (!o || !str(o.id) || !str(o.secret)) throw new CredentialError(`${where}: an API credential lacks id or secret`);
  return {
    id: o.id,
    secret: o.secret,
    tenant: str(o.tenant) ? o.tenant : DEFAULT_TENANT,
    createdAt: str(o.createdAt) ? o.createdAt : 'unknown',
    ...(str(o.rotatedAt) ? { rotatedAt: o.rotatedAt } : {}),
  };
}

function audioHookPair(p: unknown, where: string): AudioHookPair {
  const o = p as Record<string, unknown>;
  if (!o || !str(o.apiKey) || !str(o.clientSecret))
    throw new CredentialError(`${where}: an AudioHook credential lacks apiKey or clientSecret`);
  return {
    apiKey: o.apiKey,
    clientSecret: o.clientSecret,
    createdAt: str(o.createdAt) ? o.createdAt : 'unknown',
    ...(str(o.rotatedAt) ? { rotatedAt: o.rotatedAt } : {}),
  };
}
