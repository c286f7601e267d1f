import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Template } from 'aws-cdk-lib/assertions';
import { DAILY_EXPORT_CRON, DAILY_EXPORT_HOUR_UTC, FEED_RETENTION_DAYS } from '#core/contract/export-schedule.ts';
import { AUDIOHOOK_PATH, CONTROL_PORT, GATEWAY_PORT, HEALTH_PATH, LIVE_PATH } from '#core/contract/gateway-endpoints.ts';
import { REDACTION_MODES } from '#core/contract/redaction-modes.ts';
import { WEBHOOK_AUTH_MODES } from '#core/contract/webhook-auth.ts';
import { loadRedactionPolicy } from '#core/config/api.ts';
import { loadFeedConfig } from '#core/daily-export/config.ts';
import { parseWebhookConfig, WebhookConfigError } from '#core/webhook/config.ts';
import { loadGatewayConfig } from '#gateway/config.ts';
import { DeploymentConfigError, loadDeploymentConfig } from '#lib/config.ts';
import { nextDailyRun } from '#local/feed-schedule.ts';
import { resourceByPrefix, synthesize, type Resources, type Synthesized } from './synth.ts';

/**
 * The stack, the runtimes and the local system take their contract values from core/contract/. These
 * tests compare what each one actually does (the synthesized template, the parsed configuration) with
 * the contract's values, so a value restated anywhere fails here.
 */
let s: Synthesized;
let t: Template;

beforeAll(() => {
  s = synthesize({ bundle: false, validate: false });
  t = s.template;
}, 120_000);
afterAll(() => s?.cleanup());

describe('gateway endpoints', () => {
  it('the task, the load balancer and the control clients use the contract ports and paths', () => {
    const task = resourceByPrefix(t, 'AWS::ECS::TaskDefinition', 'GatewayTask');
    const container = task.props.ContainerDefinitions[0];
    expect(container.PortMappings.map((m: { ContainerPort: number }) => m.ContainerPort)).toEqual([GATEWAY_PORT, CONTROL_PORT]);
    const env = Object.fromEntries(container.Environment.map((e: { Name: string; Value: unknown }) => [e.Name, e.Value]));
    expect(env).toMatchObject({ GATEWAY_PORT: String(GATEWAY_PORT), CONTROL_PORT: String(CONTROL_PORT), AUDIOHOOK_PATH });
    expect(container.HealthCheck.Command.join(' ')).toContain(`:${GATEWAY_PORT}${LIVE_PATH}'`);

    const targets = resourceByPrefix(t, 'AWS::ElasticLoadBalancingV2::TargetGroup', 'GatewayTargets');
    expect(targets.props).toMatchObject({ Port: GATEWAY_PORT, HealthCheckPath: HEALTH_PATH, HealthCheckPort: String(GATEWAY_PORT) });

    const ingress = Object.values(t.findResources('AWS::EC2::SecurityGroupIngress') as Resources).map((r) => r.Properties!);
    expect(ingress.some((r) => r.FromPort === CONTROL_PORT && r.ToPort === CONTROL_PORT)).toBe(true);
    expect(ingress.some((r) => r.FromPort === GATEWAY_PORT && r.ToPort === GATEWAY_PORT)).toBe(true);

    const uri = JSON.stringify(t.toJSON().Outputs.AudioHookUri.Value);
    expect(uri).toContain(AUDIOHOOK_PATH);
  });

  it('the gateway defaults to the same ports and path', () => {
    const config = loadGatewayConfig({});
    expect([config.GATEWAY_PORT, config.CONTROL_PORT, config.AUDIOHOOK_PATH]).toEqual([GATEWAY_PORT, CONTROL_PORT, AUDIOHOOK_PATH]);
  });
});

describe('daily export schedule', () => {
  it('the EventBridge rule and the bucket lifecycle use the contract schedule and retention', () => {
    const rule = resourceByPrefix(t, 'AWS::Events::Rule', 'ExportSchedule');
    expect(rule.props.ScheduleExpression).toBe(DAILY_EXPORT_CRON);
    expect(DAILY_EXPORT_CRON).toBe(`cron(0 ${DAILY_EXPORT_HOUR_UTC} * * ? *)`);
    const bucket = resourceByPrefix(t, 'AWS::S3::Bucket', 'ExportBucket');
    expect(bucket.props.LifecycleConfiguration.Rules[0].ExpirationInDays).toBe(FEED_RETENTION_DAYS);
  });

  it('the export Lambda and the local scheduler use the same retention and hour', () => {
    expect(loadFeedConfig({ EXPORT_BUCKET: 'bucket' }).retentionDays).toBe(FEED_RETENTION_DAYS);
    const next = new Date(nextDailyRun(Date.UTC(2026, 0, 1, 0, 0)));
    expect(next.getUTCHours()).toBe(DAILY_EXPORT_HOUR_UTC);
  });
});

/** Every combination of modes, each as the operator might type it. */
function candidateAuthModes(): string[] {
  const out: string[] = ['', 'NONE', 'Custom-CA, mTLS', 'magic', 'oauth2 secret-token'];
  for (let mask = 1; mask < 1 << WEBHOOK_AUTH_MODES.length; mask++) {
    out.push(WEBHOOK_AUTH_MODES.filter((_, i) => mask & (1 << i)).join('+'));
  }
  return out;
}

function stackAccepts(key: string, value: string): boolean {
  try {
    loadDeploymentConfig((k) => (k === key ? value : undefined));
    return true;
  } catch (error) {
    if (error instanceof DeploymentConfigError) return false;
    throw error;
  }
}

describe('webhook auth modes', () => {
  it('the stack accepts exactly the webhookAuthMode values the delivery function accepts', () => {
    const candidates = candidateAuthModes();
    const verdicts = candidates.map((mode) => {
      let runtime: boolean;
      try {
        parseWebhookConfig({ WEBHOOK_URL: 'http://example.com/hook', WEBHOOK_AUTH_MODE: mode });
        runtime = true;
      } catch (error) {
        if (!(error instanceof WebhookConfigError)) throw error;
        // Only the mode's own problems count: a valid mode without its settings is a missing setting.
        runtime = !error.problems.some((p) => p.startsWith('WEBHOOK_AUTH_MODE:'));
      }
      return { mode, stack: stackAccepts('webhookAuthMode', mode), runtime };
    });
    for (const v of verdicts) expect(v.stack, JSON.stringify(v)).toBe(v.runtime);
    expect(verdicts.filter((v) => v.stack).length).toBeGreaterThan(5);
    expect(verdicts.filter((v) => !v.stack).length).toBeGreaterThan(5);
  });

  it('the stack hands the delivery function the mode in canonical form', () => {
    const config = loadDeploymentConfig((k) => (k === 'webhookAuthMode' ? 'mTLS, custom-ca' : undefined));
    expect(config.webhookAuthMode).toBe('custom-ca+mtls');
  });
});

describe('redaction modes', () => {
  it('the stack, the API and the gateway accept exactly the contract modes', () => {
    for (const mode of [...REDACTION_MODES, 'never', 'ALWAYS']) {
      const contract = (REDACTION_MODES as readonly string[]).includes(mode);
      expect(stackAccepts('redactionMode', mode), mode).toBe(contract);
      let runtime = true;
      try {
        loadRedactionPolicy({ REDACTION_MODE: mode });
      } catch {
        runtime = false;
      }
      expect(runtime, mode).toBe(contract);
    }
  });

  it('the deployed functions and the gateway get the configured mode', () => {
    const task = resourceByPrefix(t, 'AWS::ECS::TaskDefinition', 'GatewayTask');
    const env = task.props.ContainerDefinitions[0].Environment as Array<{ Name: string; Value: unknown }>;
    expect(env.find((e) => e.Name === 'REDACTION_MODE')?.Value).toBe('default');
  });
});
