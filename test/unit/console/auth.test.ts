import { describe, expect, it } from 'vitest';
import { consolePrincipal, loadConsoleAuthConfig } from '#core/console/auth.ts';
import { apiGatewayEvent } from '#local/apigw-event.ts';

const event = (sourceIp: string, claims?: Record<string, unknown>) => {
  const e = apiGatewayEvent({ method: 'GET', path: '/console/v1/live-calls' });
  e.requestContext.identity.sourceIp = sourceIp;
  if (claims) e.requestContext.authorizer = { claims };
  return e;
};

describe('console authentication', () => {
  it('defaults to Cognito, and acts for CONSOLE_TENANT, else API_TENANT, else default', () => {
    expect(loadConsoleAuthConfig({})).toEqual({ mode: 'cognito', tenant: 'default' });
    expect(loadConsoleAuthConfig({ API_TENANT: 'acme' }).tenant).toBe('acme');
    expect(loadConsoleAuthConfig({ API_TENANT: 'acme', CONSOLE_TENANT: 'ops' }).tenant).toBe('ops');
    expect(() => loadConsoleAuthConfig({ CONSOLE_AUTH: 'none' })).toThrow(/CONSOLE_AUTH/);
  });

  it('cognito: needs the claims API Gateway passes after verifying the token', () => {
    const config = { mode: 'cognito' as const, tenant: 't' };
    expect(consolePrincipal(event('127.0.0.1'), config)).toBeUndefined();
    expect(consolePrincipal(event('203.0.113.9', { sub: '' }), config)).toBeUndefined();
    expect(consolePrincipal(event('203.0.113.9', { sub: 'x'.repeat(129) }), config)).toBeUndefined();
    expect(consolePrincipal(event('203.0.113.9', { sub: 'a1b2', email: 'op@example.com' }), config)).toEqual({
      apiId: 'console:a1b2',
      tenant: 't',
    });
  });

  it('loopback: only connections from this machine, whatever headers they carry', () => {
    const config = { mode: 'loopback' as const, tenant: 't' };
    for (const ip of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1']) expect(consolePrincipal(event(ip), config)).toBeDefined();
    for (const ip of ['203.0.113.10', '10.0.0.1', '::ffff:10.0.0.1', '', '1127.0.0.1'])
      expect(consolePrincipal(event(ip), config)).toBeUndefined();
    // Claims do not open the loopback mode to remote callers.
    expect(consolePrincipal(event('203.0.113.10', { sub: 'x' }), config)).toBeUndefined();
  });
});
