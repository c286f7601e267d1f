import type { APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { secretsManagerClient } from '#core/aws/clients.ts';
import { loadApiConfig } from '#core/config/api.ts';
import { createCredentialsProvider, type CredentialsProvider } from '#core/api/credentials.ts';
import { authorizeRequest, UNAUTHORIZED, type AuthorizerResult } from '#core/api/request-authorizer.ts';
import { logger } from '#core/logger.ts';
import { once } from '#lambdas/shared/once.ts';

/**
 * The public API's REQUEST authorizer (lib/control-api.ts): checks the asapp-api-id / asapp-api-secret
 * pair before any route Lambda runs. API Gateway caches its answer per pair.
 */
export function createAuthorizerHandler(
  credentials: () => CredentialsProvider = defaultCredentials,
): (event: APIGatewayRequestAuthorizerEvent) => Promise<AuthorizerResult> {
  return async (event) => {
    const requestId = event.requestContext?.requestId;
    try {
      const result = await authorizeRequest({ methodArn: event.methodArn, headers: event.headers }, credentials());
      logger.info('authorized', { requestId, apiId: result.principalId.slice(0, 128) });
      return result;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (message === UNAUTHORIZED) logger.info('unauthorized', { requestId });
      else logger.error('authorizer failed', { requestId, error: message.slice(0, 300) });
      throw error;
    }
  };
}

const defaultCredentials = once(() => createCredentialsProvider(loadApiConfig().credentials, { secretsManager: secretsManagerClient }));

export const handler = createAuthorizerHandler();
