import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConfigError } from '../config/stores.ts';

/**
 * A Secrets Manager secret's string, fetched on demand and cached for `cacheMs` so a rotation is picked
 * up without a redeploy; concurrent cold callers share one fetch.
 */
export function cachedSecretString(
  secretsManager: () => SecretsManagerClient,
  secretId: string,
  options: { cacheMs: number; now?: () => number; what: string },
): () => Promise<string> {
  const now = options.now ?? Date.now;
  let cached: { value: string; loadedAt: number } | undefined;
  let loading: Promise<string> | undefined;
  const load = async (): Promise<string> => {
    const { SecretString } = await secretsManager().send(new GetSecretValueCommand({ SecretId: secretId }));
    if (!SecretString) throw new ConfigError(`${options.what} secret has no SecretString`);
    cached = { value: SecretString, loadedAt: now() };
    return SecretString;
  };
  return async () => {
    if (cached && now() - cached.loadedAt < options.cacheMs) return cached.value;
    loading ??= load().finally(() => {
      loading = undefined;
    });
    return loading;
  };
}
