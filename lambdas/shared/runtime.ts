import { cachedSecretString } from '#core/aws/cached-secret.ts';
import { once } from './once.ts';
import { awsClientConfig, secretsManagerClient } from '#core/aws/clients.ts';
import { TranscribeClient } from '@aws-sdk/client-transcribe';
import { ConfigError } from '#core/config/stores.ts';
import { syncTranscribeVocabularies } from '#core/vocabulary/transcribe-sync.ts';
import { loadApiConfig, type ApiConfig } from '#core/config/api.ts';
import { loadStoreConfig } from '#core/config/stores.ts';
import { createCredentialsProvider, type CredentialsProvider } from '#core/api/credentials.ts';
import { randomIds, systemClock, type Clock, type ControlDeps, type Ids, type MessagesDeps, type VocabularyDeps } from '#core/api/deps.ts';
import { createGatewayControlClient } from '#core/api/gateway-control-client.ts';
import { createStores } from '#core/stores/create-stores.ts';
import type { LiveCallsStore } from '#core/stores/live-calls.ts';

/** Everything the API Lambdas use, wired from the environment once per process. */
export interface ApiRuntime extends ControlDeps, MessagesDeps, VocabularyDeps {
  /** The console's live views (console routes only). */
  live: LiveCallsStore;
  config: ApiConfig;
  credentials: CredentialsProvider;
}

export function createApiRuntime(env: NodeJS.ProcessEnv = process.env, overrides: { clock?: Clock; ids?: Ids } = {}): ApiRuntime {
  const config = loadApiConfig(env);
  const clock = overrides.clock ?? systemClock;
  const now = () => clock.now();
  return {
    config,
    credentials: createCredentialsProvider(config.credentials, { secretsManager: secretsManagerClient, now }),
    ...createStores(loadStoreConfig(env), { now }),
    gateway: createGatewayControlClient({ ...config.control, secret: controlSecret(config.control.secret, now) }),
    clock,
    ids: overrides.ids ?? randomIds,
    ...(transcribeVocabularies(env) ? { engineSync: transcribeSync(now) } : {}),
  };
}

/** TRANSCRIBE_VOCABULARIES=true: changes build Amazon Transcribe custom vocabularies (the stack sets it). */
function transcribeVocabularies(env: NodeJS.ProcessEnv): boolean {
  const value = (env.TRANSCRIBE_VOCABULARIES ?? '').toLowerCase();
  if (!['', 'true', 'false', '1', '0', 'yes', 'no'].includes(value)) throw new ConfigError('TRANSCRIBE_VOCABULARIES must be true or false');
  return value === 'true' || value === '1' || value === 'yes';
}

function transcribeSync(now: () => number): NonNullable<ApiRuntime['engineSync']> {
  let client: TranscribeClient | undefined;
  return (tenant, entries) => {
    client ??= new TranscribeClient(awsClientConfig());
    return syncTranscribeVocabularies(client, tenant, entries, now);
  };
}

function controlSecret(source: ApiConfig['control']['secret'], now: () => number): (() => Promise<string | undefined>) | undefined {
  if (!source) return undefined;
  if (source.kind === 'static') return async () => source.secret;
  return cachedSecretString(secretsManagerClient, source.secretId, { cacheMs: 300_000, now, what: 'control' });
}

export const defaultApiRuntime = once(() => createApiRuntime());
