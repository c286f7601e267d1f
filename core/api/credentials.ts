import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { cachedSecretString } from '../aws/cached-secret.ts';
import { parseCredentialList, type CredentialsSource } from '../config/api.ts';
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
  const secretString = cachedSecretString(deps.secretsManager, secretId, { cacheMs, now: deps.now, what: 'API credentials' });
  // Parsed again only when the secret string changed (a rotation).
  let parsed: { from: string; verifier: CredentialVerifier } | undefined;
  return {
    async verify(id, secret) {
      const text = await secretString();
      if (parsed?.from !== text) parsed = { from: text, verifier: createCredentialVerifier(parseCredentialList(text, defaultTenant)) };
      return parsed.verifier(id, secret);
    },
  };
}
