import { z } from 'zod';
import { DEFAULT_REDACTION_MODE, REDACTION_MODES, type RedactionMode } from '#core/contract/redaction-modes.ts';
import { MIN_CONTROL_SECRET_CHARS } from '../api/control-auth.ts';
import type { RedactionOutput } from '../domain/transcription.ts';
import { ConfigError, emptyToUndefined, issuePaths } from './stores.ts';
import { DEFAULT_TENANT } from '#core/contract/tenant.ts';

/** One `asapp-api-id` / `asapp-api-secret` pair and the tenant (company_marker) it acts for. */
export interface ApiCredential {
  id: string;
  secret: string;
  tenant: string;
}

export type CredentialsSource =
  { kind: 'static'; credentials: ApiCredential[] } | { kind: 'secrets-manager'; secretId: string; cacheMs: number; defaultTenant: string };

/** Which redaction output each tenant may ask for; the API checks it and the gateway checks it again. */
export interface RedactionPolicy {
  defaultMode: RedactionMode;
  byTenant: Readonly<Record<string, RedactionMode>>;
}

export interface ApiConfig {
  credentials: CredentialsSource;
  redaction: RedactionPolicy;
  control: { startTimeoutMs: number; stopTimeoutMs: number; secret: ControlSecretSource | undefined };
}

/** The secret control requests are signed with: CONTROL_SECRET, or CONTROL_SECRET_ARN in Secrets Manager. */
type ControlSecretSource = { kind: 'static'; secret: string } | { kind: 'secrets-manager'; secretId: string };

const credentialEntry = z.object({
  id: z.string().min(1),
  secret: z.string().min(1),
  tenant: z.string().min(1).optional(),
});

/**
 * What API_CREDENTIALS or the Secrets Manager secret holds: a list of pairs, a single pair, or
 * `{"credentials":[…]}`. Pairs without a tenant belong to `defaultTenant`.
 */
export function parseCredentialList(json: string, defaultTenant: string): ApiCredential[] {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new ConfigError('API credentials are not valid JSON');
  }
  const list = z
    .union([
      z.array(credentialEntry).min(1),
      credentialEntry.transform((c) => [c]),
      z.object({ credentials: z.array(credentialEntry).min(1) }).transform((o) => o.credentials),
    ])
    .safeParse(value);
  if (!list.success) throw new ConfigError('API credentials must be [{"id","secret","tenant"}]');
  return list.data.map((c) => ({ id: c.id, secret: c.secret, tenant: c.tenant ?? defaultTenant }));
}

const modeSchema = z.enum(REDACTION_MODES);
const positiveMs = z.coerce.number().int().positive();

export function loadApiConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  const defaultTenant = emptyToUndefined(env.API_TENANT) ?? DEFAULT_TENANT;
  return {
    credentials: credentialsSource(env, defaultTenant),
    redaction: loadRedactionPolicy(env),
    control: {
      startTimeoutMs: parse('CONTROL_START_TIMEOUT_MS', positiveMs.default(5_000), emptyToUndefined(env.CONTROL_START_TIMEOUT_MS)),
      stopTimeoutMs: parse('CONTROL_STOP_TIMEOUT_MS', positiveMs.default(8_000), emptyToUndefined(env.CONTROL_STOP_TIMEOUT_MS)),
      secret: controlSecretSource(env),
    },
  };
}

function controlSecretSource(env: NodeJS.ProcessEnv): ControlSecretSource | undefined {
  const secretId = emptyToUndefined(env.CONTROL_SECRET_ARN);
  if (secretId) return { kind: 'secrets-manager', secretId };
  const secret = emptyToUndefined(env.CONTROL_SECRET);
  if (secret === undefined) return undefined;
  return { kind: 'static', secret: parse('CONTROL_SECRET', controlSecretSchema, secret) };
}

/** CONTROL_SECRET, shared by the API and the gateway. */
export const controlSecretSchema = z.string().min(MIN_CONTROL_SECRET_CHARS, `must be at least ${MIN_CONTROL_SECRET_CHARS} characters`);

/** REDACTION_MODE and TENANT_REDACTION_MODES. */
export function loadRedactionPolicy(env: NodeJS.ProcessEnv = process.env): RedactionPolicy {
  return {
    defaultMode: parse('REDACTION_MODE', modeSchema.default(DEFAULT_REDACTION_MODE), emptyToUndefined(env.REDACTION_MODE)),
    byTenant: parse(
      'TENANT_REDACTION_MODES',
      z.record(z.string(), modeSchema),
      jsonOrEmpty('TENANT_REDACTION_MODES', env.TENANT_REDACTION_MODES),
    ),
  };
}

function credentialsSource(env: NodeJS.ProcessEnv, defaultTenant: string): CredentialsSource {
  const secretId = emptyToUndefined(env.API_CREDENTIALS_SECRET_ARN);
  if (secretId) {
    const cacheSeconds = parse(
      'API_CREDENTIALS_CACHE_SECONDS',
      z.coerce.number().int().nonnegative().default(300),
      emptyToUndefined(env.API_CREDENTIALS_CACHE_SECONDS),
    );
    return { kind: 'secrets-manager', secretId, cacheMs: cacheSeconds * 1000, defaultTenant };
  }
  const credentials: ApiCredential[] = [];
  const list = emptyToUndefined(env.API_CREDENTIALS);
  if (list) credentials.push(...parseCredentialList(list, defaultTenant));
  const id = emptyToUndefined(env.API_ID);
  const secret = emptyToUndefined(env.API_SECRET);
  if (id && secret) credentials.push({ id, secret, tenant: defaultTenant });
  else if (id || secret) throw new ConfigError('API_ID and API_SECRET must be set together');
  if (credentials.length === 0) {
    throw new ConfigError('no API credentials configured (API_CREDENTIALS, API_ID/API_SECRET or API_CREDENTIALS_SECRET_ARN)');
  }
  return { kind: 'static', credentials };
}

function jsonOrEmpty(name: string, value: string | undefined): unknown {
  const text = emptyToUndefined(value);
  if (text === undefined) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new ConfigError(`${name} is not valid JSON`);
  }
}

function parse<T>(name: string, schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new ConfigError(`invalid ${issuePaths(result.error, name)}`);
  return result.data;
}

export function redactionModeFor(config: { redaction: RedactionPolicy }, tenant: string): RedactionMode {
  return Object.hasOwn(config.redaction.byTenant, tenant) ? config.redaction.byTenant[tenant] : config.redaction.defaultMode;
}

/** Why the tenant's mode refuses this output, or undefined when it allows it. */
export function redactionRefusal(mode: RedactionMode, output: RedactionOutput): string | undefined {
  if (mode === 'off' && output !== 'unredacted') return 'redaction is not configured for this tenant';
  if (mode === 'always' && output !== 'redacted') return 'this tenant is configured to always redact';
  return undefined;
}
