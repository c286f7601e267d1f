import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { secretsManagerClient } from '../aws/clients.ts';

/**
 * Reads the webhook's JSON secret (`WEBHOOK_SECRET_ARN`). Called once per container: the handler caches
 * the resulting configuration for the container's lifetime, so rotation takes effect on new containers.
 * The SDK honours AWS_ENDPOINT_URL, so emulators need no special case here.
 */
export function secretsManagerReader(client: SecretsManagerClient = secretsManagerClient()) {
  return async (arn: string): Promise<string> => {
    const out = await client.send(new GetSecretValueCommand({ SecretId: arn }));
    if (typeof out.SecretString !== 'string') {
      // Binary secrets are not supported: the fields are PEM and token strings.
      throw new Error('webhook secret has no SecretString');
    }
    return out.SecretString;
  };
}
