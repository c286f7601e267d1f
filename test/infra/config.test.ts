import { describe, expect, it } from 'vitest';
import { DEFAULTS, DeploymentConfigError, loadDeploymentConfig } from '#lib/config.ts';

const load = (context: Record<string, unknown>) => loadDeploymentConfig((key) => context[key]);
const problemsOf = (context: Record<string, unknown>): string[] => {
  try {
    load(context);
  } catch (error) {
    if (error instanceof DeploymentConfigError) return error.problems;
    throw error;
  }
  return [];
};

describe('deployment context', () => {
  it('has a default for everything, so a fresh clone synthesizes with no context', () => {
    expect(load({})).toEqual(DEFAULTS);
    expect(DEFAULTS.certificateArn).toBeUndefined();
    expect(DEFAULTS.webhookUrl).toBeUndefined();
  });

  it('reads values passed as strings (-c key=value) and as JSON (cdk.json)', () => {
    const config = load({
      natGateways: '1',
      gatewayMaxTasks: 20,
      audiohookAllowedCidrs: '203.0.113.0/24,198.51.100.7/32',
      webhookMaxAttempts: '2',
      logRetentionDays: '90',
      redactionMode: 'always',
      certificateArn: '',
    });
    expect(config).toMatchObject({
      natGateways: 1,
      gatewayMaxTasks: 20,
      webhookMaxAttempts: 2,
      logRetentionDays: 90,
      redactionMode: 'always',
    });
    expect(config.audiohookAllowedCidrs).toEqual(['203.0.113.0/24', '198.51.100.7/32']);
    expect(config.certificateArn).toBeUndefined();
    expect(load({ audiohookAllowedCidrs: ['10.0.0.0/8'] }).audiohookAllowedCidrs).toEqual(['10.0.0.0/8']);
  });

  it('rejects bad values, naming each key', () => {
    const problems = problemsOf({
      certificateArn: 'not-an-arn',
      audiohookAllowedCidrs: '10.0.0.0/33',
      gatewayCpu: '300',
      webhookUrl: 'ftp://x',
      webhookAuthMode: 'magic',
      logRetentionDays: '10',
      natGateways: '0',
    });
    for (const key of [
      'certificateArn',
      'audiohookAllowedCidrs',
      'gatewayCpu',
      'webhookUrl',
      'webhookAuthMode',
      'logRetentionDays',
      'natGateways',
    ]) {
      expect(
        problems.some((p) => p.startsWith(`${key}:`)),
        key,
      ).toBe(true);
    }
  });

  it('checks values that belong together', () => {
    expect(problemsOf({ gatewayMinTasks: '5', gatewayMaxTasks: '2' })).toEqual(['gatewayMinTasks must not exceed gatewayMaxTasks']);
    expect(problemsOf({ apiDomainName: 'api.example.com' })).toEqual(['apiDomainName and apiCertificateArn must be set together']);
    expect(problemsOf({ hostedZoneId: 'Z123ABC' })).toContain('hostedZoneId and hostedZoneName must be set together');
    expect(problemsOf({ hostedZoneId: 'Z123ABC', hostedZoneName: 'example.com', gatewayDomainName: 'audiohook.example.org' })).toEqual([
      'gatewayDomainName is not inside hostedZoneName',
    ]);
    expect(problemsOf({ webhookAuthMode: 'custom-ca+oauth2', webhookOAuth2TokenUrl: 'https://idp.example.com/token' })).toEqual([]);
    expect(problemsOf({ webhookAuthMode: 'mtls+oauth2' })[0]).toMatch(/^webhookAuthMode: mtls\+oauth2 is not an allowed combination/);
    expect(problemsOf({ webhookConcurrency: '8' })).toEqual([
      'webhookConcurrency was renamed webhookMaxConcurrentBatches (concurrent webhook Lambda invocations)',
    ]);
  });
});
