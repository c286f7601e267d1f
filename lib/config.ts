import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_REDACTION_MODE, REDACTION_MODES, type RedactionMode } from '#core/contract/redaction-modes.ts';
import { parseWebhookAuthModes, WEBHOOK_AUTH_MODES } from '#core/contract/webhook-auth.ts';
import { DEFAULT_TENANT } from '#core/contract/tenant.ts';
import { DEFAULT_WEBHOOK_MAX_CONCURRENT_BATCHES, WEBHOOK_MAX_CONCURRENT_BATCHES_RANGE } from '#core/contract/webhook-batches.ts';
import { CALLS_PER_TASK_TARGET, GATEWAY_TASK_MEMORY_MIB, GATEWAY_TASK_VCPU } from '#core/contract/gateway-capacity.ts';

/**
 * Deployment settings, read from CDK context (`-c key=value`, `cdk.json` or `cdk.context.json`).
 * Every value has a default so `npx cdk synth` works on a fresh clone with no AWS credentials; the
 * only value a real deployment must supply is the gateway's TLS certificate (see `certificateArn`).
 * docs/deploy.md lists them all.
 */

/** Repository root: where dist/ (the built artifacts) and the gateway image's build context are. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Where the gateway image is built: in the account by CodeBuild (default), or by Docker on the deployer's machine. */
const GATEWAY_IMAGE_BUILDS = ['codebuild', 'local-docker'] as const;
export type GatewayImageBuild = (typeof GATEWAY_IMAGE_BUILDS)[number];

export interface DeploymentConfig {
  /** Tenant (the feed's `company_marker`) of the gateway and of credential pairs without one. */
  tenant: string;

  // Gateway (AudioHook WebSocket endpoint)
  /** ACM certificate for the TLS listener. Absent: the template takes it as the `GatewayCertificateArn` parameter. */
  certificateArn?: string;
  /** Host name Genesys connects to (must be covered by the certificate). */
  gatewayDomainName?: string;
  /** Route 53 zone in which to create alias records for the gateway and API domains. */
  hostedZoneId?: string;
  hostedZoneName?: string;
  /** Source ranges allowed to reach the AudioHook listener (Genesys Cloud's published ranges, ideally). */
  audiohookAllowedCidrs: string[];
  natGateways: number;
  /**
   * Interface VPC endpoints for Transcribe streaming, SQS, Secrets Manager, ECR, CloudWatch Logs and ECS,
   * so audio and credentials do not cross the NAT gateways (each endpoint is billed per AZ-hour).
   */
  interfaceEndpoints: boolean;
  gatewayArchitecture: 'arm64' | 'x86_64';
  /**
   * Who builds the gateway image at deploy time: `codebuild` (in the account; no Docker on the
   * deployer's machine) or `local-docker` (the CDK CLI with the deployer's Docker).
   */
  gatewayImageBuild: GatewayImageBuild;
  gatewayCpu: number;
  gatewayMemoryMiB: number;
  gatewayMinTasks: number;
  gatewayMaxTasks: number;
  /** Target-tracking goal: concurrent AudioHook connections per task. */
  connectionsPerTask: number;
  cpuTargetPercent: number;
  /** Load balancer deregistration delay: how long a task removed from service keeps its calls. */
  deregistrationDelaySeconds: number;

  // Control API
  apiStageName: string;
  apiDomainName?: string;
  apiCertificateArn?: string;
  apiThrottleRateLimit: number;
  apiThrottleBurstLimit: number;
  /** A WAF web ACL on the API stage with a per-IP rate-based rule. */
  apiWaf: boolean;
  /** Requests per source IP per 5 minutes before WAF blocks that IP (the rate-based rule). */
  apiWafRateLimit: number;
  /** Requests per API credential (asapp-api-id) per minute before WAF answers 429-01 (needs apiWaf). */
  apiCredentialRateLimit: number;
  /** Seconds API Gateway caches the authorizer's answer for a credential pair (a removed pair works this long). */
  apiAuthorizerCacheSeconds: number;
  /**
   * Create API Gateway's account-wide CloudWatch Logs role and set it in the account's API Gateway
   * settings (needed for execution logs). `false` when the account already has one.
   */
  apiCloudWatchRole: boolean;
  redactionMode: RedactionMode;
  messageRetentionDays: number;
  feedUrlExpirySeconds: number;
  /**
   * Call recording: `true` (default) creates the recordings bucket and lets a start with
   * `audioRecordingAllowed` be recorded; `false` forbids recording in the whole deployment.
   */
  callRecording: boolean;
  /** Days a call recording is kept (the bucket's lifecycle rule). */
  recordingRetentionDays: number;

  // Webhook delivery
  /** Absent: the queue is still filled but the delivery Lambda's event source is disabled. */
  webhookUrl?: string;
  /** Canonical form (`custom-ca+mtls`): the modes in contract order, joined by `+`. */
  webhookAuthMode: string;
  webhookSecretTokenName?: string;
  webhookSecretTokenLocation?: 'header' | 'query';
  webhookOAuth2TokenUrl?: string;
  webhookOAuth2Scope?: string;
  webhookOAuth2Audience?: string;
  webhookOAuth2ClientAuth?: 'basic' | 'post';
  webhookTimeoutMs: number;
  webhookDeadlineMs: number;
  /** Receives per message; 1 (the contract's default) means no retry: a failure goes to the DLQ. */
  webhookMaxAttempts: number;
  /**
   * Most webhook Lambda invocations (each delivering one SQS batch) running at once: the SQS event
   * source's maximum concurrency. Not WEBHOOK_PARALLEL_CONVERSATIONS, which is per invocation.
   */
  webhookMaxConcurrentBatches: number;
  /**
   * Reserved concurrency of the webhook Lambda. Absent by default: reserving it fails the deploy in an
   * account whose Lambda concurrency quota is the new-account 10 (AWS keeps 10 unreserved).
   */
  webhookReservedConcurrency?: number;

  // Operations
  logRetentionDays: number;
  logLevel: string;
  /** Existing SNS topic that receives alarm notifications. */
  alarmTopicArn?: string;
  /** `retain` keeps tables and buckets when the stack is deleted. */
  removalPolicy: 'retain' | 'destroy';
}

export const DEFAULTS: DeploymentConfig = {
  tenant: DEFAULT_TENANT,
  audiohookAllowedCidrs: ['0.0.0.0/0'],
  natGateways: 2,
  interfaceEndpoints: false,
  gatewayArchitecture: 'arm64',
  gatewayImageBuild: 'codebuild',
  gatewayCpu: GATEWAY_TASK_VCPU * 1024,
  gatewayMemoryMiB: GATEWAY_TASK_MEMORY_MIB,
  gatewayMinTasks: 2,
  gatewayMaxTasks: 10,
  connectionsPerTask: CALLS_PER_TASK_TARGET,
  cpuTargetPercent: 60,
  deregistrationDelaySeconds: 3600,
  apiStageName: 'prod',
  apiThrottleRateLimit: 50,
  apiThrottleBurstLimit: 100,
  apiWaf: true,
  apiWafRateLimit: 2000,
  apiCredentialRateLimit: 1200,
  apiAuthorizerCacheSeconds: 300,
  apiCloudWatchRole: true,
  redactionMode: DEFAULT_REDACTION_MODE,
  messageRetentionDays: 7,
  feedUrlExpirySeconds: 900,
  callRecording: true,
  recordingRetentionDays: 7,
  webhookAuthMode: 'none',
  webhookTimeoutMs: 5_000,
  webhookDeadlineMs: 60_000,
  webhookMaxAttempts: 1,
  webhookMaxConcurrentBatches: DEFAULT_WEBHOOK_MAX_CONCURRENT_BATCHES,
  logRetentionDays: 30,
  logLevel: 'INFO',
  removalPolicy: 'retain',
};

export class DeploymentConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid deployment context:\n  ${problems.join('\n  ')}`);
    this.name = 'DeploymentConfigError';
  }
}

type Lookup = (key: string) => unknown;

/** Builds the configuration from a context lookup (`app.node.tryGetContext`), validating every value. */
export function loadDeploymentConfig(lookup: Lookup): DeploymentConfig {
  const problems: string[] = [];
  const r = new Reader(lookup, problems);
  const d = DEFAULTS;
  const config: DeploymentConfig = {
    tenant: r.string('tenant', d.tenant, /^[A-Za-z0-9._-]{1,128}$/),
    certificateArn: r.optionalString('certificateArn', ACM_ARN),
    gatewayDomainName: r.optionalString('gatewayDomainName', HOST_NAME),
    hostedZoneId: r.optionalString('hostedZoneId', /^Z[A-Z0-9]{1,31}$/),
    hostedZoneName: r.optionalString('hostedZoneName', HOST_NAME),
    audiohookAllowedCidrs: r.cidrList('audiohookAllowedCidrs', d.audiohookAllowedCidrs),
    natGateways: r.integer('natGateways', d.natGateways, 1, 2),
    interfaceEndpoints: r.flag('interfaceEndpoints', d.interfaceEndpoints),
    gatewayArchitecture: r.oneOf('gatewayArchitecture', d.gatewayArchitecture, ['arm64', 'x86_64'] as const),
    gatewayImageBuild: r.oneOf('gatewayImageBuild', d.gatewayImageBuild, GATEWAY_IMAGE_BUILDS),
    gatewayCpu: r.oneOf('gatewayCpu', d.gatewayCpu, [256, 512, 1024, 2048, 4096] as const),
    gatewayMemoryMiB: r.integer('gatewayMemoryMiB', d.gatewayMemoryMiB, 512, 30_720),
    gatewayMinTasks: r.integer('gatewayMinTasks', d.gatewayMinTasks, 1, 100),
    gatewayMaxTasks: r.integer('gatewayMaxTasks', d.gatewayMaxTasks, 1, 1000),
    connectionsPerTask: r.integer('connectionsPerTask', d.connectionsPerTask, 1, 10_000),
    cpuTargetPercent: r.integer('cpuTargetPercent', d.cpuTargetPercent, 10, 90),
    deregistrationDelaySeconds: r.integer('deregistrationDelaySeconds', d.deregistrationDelaySeconds, 0, 3600),
    apiStageName: r.string('apiStageName', d.apiStageName, /^[A-Za-z0-9_]{1,128}$/),
    apiDomainName: r.optionalString('apiDomainName', HOST_NAME),
    apiCertificateArn: r.optionalString('apiCertificateArn', ACM_ARN),
    apiThrottleRateLimit: r.integer('apiThrottleRateLimit', d.apiThrottleRateLimit, 1, 10_000),
    apiThrottleBurstLimit: r.integer('apiThrottleBurstLimit', d.apiThrottleBurstLimit, 1, 5_000),
    apiWaf: r.flag('apiWaf', d.apiWaf),
    apiWafRateLimit: r.integer('apiWafRateLimit', d.apiWafRateLimit, 10, 2_000_000_000),
    apiCredentialRateLimit: r.integer('apiCredentialRateLimit', d.apiCredentialRateLimit, 10, 2_000_000_000),
    apiAuthorizerCacheSeconds: r.integer('apiAuthorizerCacheSeconds', d.apiAuthorizerCacheSeconds, 0, 3600),
    apiCloudWatchRole: r.flag('apiCloudWatchRole', d.apiCloudWatchRole),
    redactionMode: r.oneOf('redactionMode', d.redactionMode, REDACTION_MODES),
    messageRetentionDays: r.integer('messageRetentionDays', d.messageRetentionDays, 1, 3650),
    feedUrlExpirySeconds: r.integer('feedUrlExpirySeconds', d.feedUrlExpirySeconds, 60, 43_200),
    callRecording: r.flag('callRecording', d.callRecording),
    recordingRetentionDays: r.integer('recordingRetentionDays', d.recordingRetentionDays, 1, 3650),
    webhookUrl: r.optionalString('webhookUrl', /^https?:\/\/[^\s]+$/),
    webhookAuthMode: r.webhookAuthMode('webhookAuthMode', d.webhookAuthMode),
    webhookSecretTokenName: r.optionalString('webhookSecretTokenName', /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/),
    webhookSecretTokenLocation: r.optionalOneOf('webhookSecretTokenLocation', ['header', 'query'] as const),
    webhookOAuth2TokenUrl: r.optionalString('webhookOAuth2TokenUrl', /^https:\/\/[^\s]+$/),
    webhookOAuth2Scope: r.optionalString('webhookOAuth2Scope', /^[^\s].*$/),
    webhookOAuth2Audience: r.optionalString('webhookOAuth2Audience', /^[^\s].*$/),
    webhookOAuth2ClientAuth: r.optionalOneOf('webhookOAuth2ClientAuth', ['basic', 'post'] as const),
    webhookTimeoutMs: r.integer('webhookTimeoutMs', d.webhookTimeoutMs, 100, 60_000),
    webhookDeadlineMs: r.integer('webhookDeadlineMs', d.webhookDeadlineMs, 1_000, 14 * 24 * 3_600_000),
    webhookMaxAttempts: r.integer('webhookMaxAttempts', d.webhookMaxAttempts, 1, 20),
    webhookMaxConcurrentBatches: r.integer(
      'webhookMaxConcurrentBatches',
      d.webhookMaxConcurrentBatches,
      WEBHOOK_MAX_CONCURRENT_BATCHES_RANGE.min,
      WEBHOOK_MAX_CONCURRENT_BATCHES_RANGE.max,
    ),
    webhookReservedConcurrency: r.optionalInteger('webhookReservedConcurrency', 1, 1000),
    logRetentionDays: r.oneOf('logRetentionDays', d.logRetentionDays, [
      1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
    ] as const),
    logLevel: r.oneOf('logLevel', d.logLevel, ['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT'] as const),
    alarmTopicArn: r.optionalString('alarmTopicArn', /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]+$/),
    removalPolicy: r.oneOf('removalPolicy', d.removalPolicy, ['retain', 'destroy'] as const),
  };
  if (lookup('webhookConcurrency') !== undefined) {
    problems.push('webhookConcurrency was renamed webhookMaxConcurrentBatches (concurrent webhook Lambda invocations)');
  }
  if (config.gatewayMinTasks > config.gatewayMaxTasks) problems.push('gatewayMinTasks must not exceed gatewayMaxTasks');
  if ((config.apiDomainName === undefined) !== (config.apiCertificateArn === undefined)) {
    problems.push('apiDomainName and apiCertificateArn must be set together');
  }
  if ((config.hostedZoneId === undefined) !== (config.hostedZoneName === undefined)) {
    problems.push('hostedZoneId and hostedZoneName must be set together');
  }
  if (config.hostedZoneName && !config.gatewayDomainName && !config.apiDomainName) {
    problems.push('hostedZoneId/hostedZoneName given but neither gatewayDomainName nor apiDomainName');
  }
  for (const [key, domain] of [
    ['gatewayDomainName', config.gatewayDomainName],
    ['apiDomainName', config.apiDomainName],
  ] as const) {
    if (domain && config.hostedZoneName && !`.${domain}`.endsWith(`.${config.hostedZoneName.replace(/\.$/, '')}`)) {
      problems.push(`${key} is not inside hostedZoneName`);
    }
  }
  if (problems.length > 0) throw new DeploymentConfigError(problems);
  return config;
}

const ACM_ARN = /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]{36}$/;
const HOST_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}\.?$/i;

/** Context values arrive as strings from `-c key=value` and as JSON values from cdk.json. */
class Reader {
  constructor(
    private readonly lookup: Lookup,
    private readonly problems: string[],
  ) {}

  private raw(key: string): unknown {
    const value = this.lookup(key);
    return value === '' || value === null ? undefined : value;
  }

  string(key: string, fallback: string, pattern: RegExp): string {
    return this.optionalString(key, pattern) ?? fallback;
  }

  optionalString(key: string, pattern: RegExp): string | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || !pattern.test(value)) {
      this.problems.push(`${key}: ${JSON.stringify(value)} is not valid`);
      return undefined;
    }
    return value;
  }

  /** Parsed exactly as the delivery function parses WEBHOOK_AUTH_MODE; returned in canonical form. */
  webhookAuthMode(key: string, fallback: string): string {
    const value = this.raw(key);
    if (value === undefined) return fallback;
    if (typeof value !== 'string') {
      this.problems.push(`${key}: must be a string`);
      return fallback;
    }
    const { modes, problems } = parseWebhookAuthModes(value, key);
    this.problems.push(...problems);
    return WEBHOOK_AUTH_MODES.filter((m) => modes.has(m)).join('+');
  }

  integer(key: string, fallback: number, min: number, max: number): number {
    return this.optionalInteger(key, min, max) ?? fallback;
  }

  /** `true`/`false` (JSON) or the strings `true`/`false` (`-c key=false`). */
  flag(key: string, fallback: boolean): boolean {
    const value = this.raw(key);
    if (value === undefined) return fallback;
    if (value === true || value === 'true') return true;
    if (value === false || value === 'false') return false;
    this.problems.push(`${key}: ${JSON.stringify(value)} must be true or false`);
    return fallback;
  }

  optionalInteger(key: string, min: number, max: number): number | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    const n = typeof value === 'number' ? value : typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : NaN;
    if (!Number.isInteger(n) || n < min || n > max) {
      this.problems.push(`${key}: ${JSON.stringify(value)} must be an integer from ${min} to ${max}`);
      return undefined;
    }
    return n;
  }

  oneOf<const T extends string | number>(key: string, fallback: T, allowed: readonly T[]): T {
    return this.optionalOneOf(key, allowed) ?? fallback;
  }

  optionalOneOf<const T extends string | number>(key: string, allowed: readonly T[]): T | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    const match = allowed.find((a) => String(a) === String(value).trim());
    if (match === undefined) this.problems.push(`${key}: ${JSON.stringify(value)} must be one of ${allowed.join(', ')}`);
    return match;
  }

  /** A JSON array, or a comma-separated string (`-c audiohookAllowedCidrs=203.0.113.0/24,198.51.100.0/24`). */
  cidrList(key: string, fallback: string[]): string[] {
    const value = this.raw(key);
    if (value === undefined) return fallback;
    const list = Array.isArray(value)
      ? value
      : typeof value === 'string'
        ? value
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : [value];
    const cidr = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
    const bad = list.filter((c) => {
      const m = typeof c === 'string' ? cidr.exec(c) : null;
      return !m || m.slice(1, 5).some((o) => Number(o) > 255) || Number(m[5]) > 32;
    });
    if (list.length === 0 || bad.length > 0) {
      this.problems.push(`${key}: must be a non-empty list of IPv4 CIDR ranges`);
      return fallback;
    }
    return list as string[];
  }
}
