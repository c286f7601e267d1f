import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { parseCredentialList, type CredentialsSource } from '../config/api.ts';
import { ConfigError } from '../config/stores.ts';
import { createCredentialVerifier, type CredentialVerifier, type Principal } from './auth.ts';

/** Verifies API credentials from configuration: static pairs, or a Secrets Manager secret read on demand. */
export interface CredentialsProvider {
  verify(apiId: string | undefined, apiSecret: string | undefined): Promise<Principal | undefined>;
}

export function createCredentialsProvider(
  source: CredentialsSource,
  deps: { secretsManager: () => SecretsManagerClient; now?: () => number },
): CredentialsProvider {
  if (source.kind === 'static') {
    const verify = createCredentialVerifier(source.credentials);
    return { verify: async (id, secret) => verify(id, secret) };
  }
  const { secretId, defaultTenant, cacheMs } = source;
  const now = deps.now ?? Date.now;
  // The secret is cached for `cacheMs` so a rotation is picked up without a redeploy, and concurrent
  // cold requests share one fetch.
  let cached: { verifier: CredentialVerifier; loadedAt: number } | undefined;
  let loading: Promise<CredentialVerifier> | undefined;

  async function load(): Promise<CredentialVerifier> {
    const { SecretString } = await deps.secretsManager().send(new GetSecretValueCommand({ SecretId: secretId }));
    if (!SecretString) throw new ConfigError('API credentials secret has no SecretString');
    const verifier = createCredentialVerifier(parseCredentialList(SecretString, defaultTenant));
    cached = { verifier, loadedAt: now() };
    return verifier;
  }

  return {
    async verify(id, secret) {
      let verifier = cached && now() - cached.loadedAt < cacheMs ? cached.verifier : undefined;
      if (!verifier) {
        loading ??= load().finally(() => {
          loading = undefined;
        });
        verifier = await loading;
      }
      return verifier(id, secret);
    },
  };
}
