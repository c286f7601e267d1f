import type { APIGatewayProxyEvent } from 'aws-lambda';
import { z } from 'zod';
import type { Principal } from '../api/auth.ts';
import { ConfigError, emptyToUndefined, issuePaths } from '../config/stores.ts';
import { CONSOLE_AUTH_MODES, type ConsoleAuthMode } from '#core/contract/console-auth.ts';
import { DEFAULT_TENANT } from '#core/contract/tenant.ts';

/**
 * Who may use the console routes (docs/console.md). They never take the ASAPP `asapp-api-id` /
 * `asapp-api-secret` pair, so the page never holds it:
 * - `cognito` (the stack): API Gateway's Cognito authorizer has verified the user's ID token and
 *   passes its claims; a request without them is 401.
 * - `loopback` (`npm start`): no sign-in, but only for connections from this machine.
 * Console users are the deployment's operators; their start/stop and file reads act for
 * CONSOLE_TENANT (default: API_TENANT, else `default`).
 */

export interface ConsoleAuthConfig {
  mode: ConsoleAuthMode;
  tenant: string;
}

const schema = z.object({
  CONSOLE_AUTH: z.enum(CONSOLE_AUTH_MODES).default('cognito'),
  CONSOLE_TENANT: z.string().min(1).max(128).optional(),
  API_TENANT: z.string().min(1).max(128).optional(),
});

export function loadConsoleAuthConfig(env: NodeJS.ProcessEnv = process.env): ConsoleAuthConfig {
  const parsed = schema.safeParse({
    CONSOLE_AUTH: emptyToUndefined(env.CONSOLE_AUTH),
    CONSOLE_TENANT: emptyToUndefined(env.CONSOLE_TENANT),
    API_TENANT: emptyToUndefined(env.API_TENANT),
  });
  if (!parsed.success) throw new ConfigError(`invalid console configuration: ${issuePaths(parsed.error)}`);
  return { mode: parsed.data.CONSOLE_AUTH, tenant: parsed.data.CONSOLE_TENANT ?? parsed.data.API_TENANT ?? DEFAULT_TENANT };
}

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3})$/;

export function consolePrincipal(event: APIGatewayProxyEvent, config: ConsoleAuthConfig): Principal | undefined {
  if (config.mode === 'loopback') {
    return LOOPBACK.test(event.requestContext?.identity?.sourceIp ?? '') ? { apiId: 'console:loopback', tenant: config.tenant } : undefined;
  }
  const claims: unknown = event.requestContext?.authorizer?.claims;
  if (typeof claims !== 'object' || claims === null) return undefined;
  const sub = (claims as Record<string, unknown>).sub;
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > 128) return undefined;
  return { apiId: `console:${sub}`, tenant: config.tenant };
}
