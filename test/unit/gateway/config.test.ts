import { describe, expect, it } from 'vitest';
import { loadGatewayConfig } from '#gateway/config.ts';

describe('gateway configuration', () => {
  it('binds the gateway and its control endpoint to loopback unless told otherwise', () => {
    const config = loadGatewayConfig({});
    expect([config.GATEWAY_HOST, config.CONTROL_HOST]).toEqual(['127.0.0.1', '127.0.0.1']);
    expect(config.CONTROL_SECRET).toBeUndefined();
  });

  it('requires a control secret of at least 32 characters in production', () => {
    expect(() => loadGatewayConfig({ NODE_ENV: 'production' })).toThrow(/CONTROL_SECRET: required in production/);
    expect(() => loadGatewayConfig({ CONTROL_SECRET: 'short' })).toThrow(/CONTROL_SECRET: must be at least 32 characters/);
    expect(loadGatewayConfig({ NODE_ENV: 'production', CONTROL_SECRET: 'x'.repeat(32) }).CONTROL_SECRET).toBe('x'.repeat(32));
  });
});
