import { CfnOutput, CfnParameter, Fn, RemovalPolicy, Stack, Token, type StackProps } from 'aws-cdk-lib';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as route53Targets from 'aws-cdk-lib/aws-route53-targets';
import type { Construct } from 'constructs';
import { AccessLogs } from './access-logs.ts';
import { type DeploymentConfig, DEFAULTS } from './config.ts';
import { ConsoleSite } from './console-site.ts';
import { ControlApi } from './control-api.ts';
import { Delivery, WEBHOOK_SERVICE_NAME } from './delivery.ts';
import { Export } from './export.ts';
import { GatewayService } from './gateway-service.ts';
import { AUDIOHOOK_PATH, CONTROL_PORT } from '#core/contract/gateway-endpoints.ts';
import { applyNagSuppressions } from './nag-suppressions.ts';
import { Network } from './network.ts';
import { Observability } from './observability.ts';
import { Recordings } from './recordings.ts';
import { Secrets } from './secrets.ts';
import { Storage } from './storage.ts';

export interface AudiohookTranscribeStackProps extends StackProps {
  config?: Partial<DeploymentConfig>;
}

/** Name of the template parameter that takes the gateway's certificate when no `certificateArn` context is given. */
export const CERTIFICATE_PARAMETER = 'GatewayCertificateArn';

/**
 * The whole service in one stack: storage, secrets, delivery, network, gateway, control API, export,
 * observability. Deployment settings come from `config` (bin/app.ts reads them from CDK context).
 *
 * Certificate: the AudioHook listener is always TLS (Genesys only connects over wss://). With the
 * `certificateArn` context value the ARN is written into the template; without it the template
 * declares a `GatewayCertificateArn` parameter, so `cdk synth` needs nothing and
 * `cdk deploy --parameters GatewayCertificateArn=arn:…` supplies it. There is never a plain-HTTP
 * listener or a placeholder certificate.
 */
export class AudiohookTranscribeStack extends Stack {
  readonly config: DeploymentConfig;
  readonly storage: Storage;
  readonly secrets: Secrets;
  readonly delivery: Delivery;
  readonly network: Network;
  readonly gateway: GatewayService;
  readonly controlApi: ControlApi;
  readonly console: ConsoleSite;
  readonly export: Export;
  /** Absent when the deployment forbids call recording. */
  readonly recordings?: Recordings;
  readonly observability: Observability;

  constructor(scope: Construct, id: string, props: AudiohookTranscribeStackProps = {}) {
    super(scope, id, props);
    const config: DeploymentConfig = { ...DEFAULTS, ...props.config };
    this.config = config;
    const removalPolicy = config.removalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
    const common = { logLevel: config.logLevel, logRetentionDays: config.logRetentionDays };

    const certificateArn =
      config.certificateArn ??
      new CfnParameter(this, CERTIFICATE_PARAMETER, {
        type: 'String',
        description: 'ACM certificate (same region) for the AudioHook TLS listener; it must cover the host name Genesys connects to',
        allowedPattern: '^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/[0-9a-f-]{36}$',
        constraintDescription: 'an ACM certificate ARN',
      }).valueAsString;

    this.storage = new Storage(this, 'Storage', { removalPolicy });
    this.secrets = new Secrets(this, 'Secrets', { tenant: config.tenant, removalPolicy });
    const accessLogs = new AccessLogs(this, 'AccessLogs', { removalPolicy });
    this.delivery = new Delivery(this, 'Delivery', { ...config, ...common, webhookSecret: this.secrets.webhook });
    this.network = new Network(this, 'Network', {
      natGateways: config.natGateways,
      interfaceEndpoints: config.interfaceEndpoints,
      logRetentionDays: config.logRetentionDays,
    });

    if (config.callRecording) {
      this.recordings = new Recordings(this, 'Recordings', {
        retentionDays: config.recordingRetentionDays,
        accessLogs: accessLogs.bucket,
        removalPolicy,
      });
    }

    this.gateway = new GatewayService(this, 'Gateway', {
      ...common,
      vpc: this.network.vpc,
      controlClients: this.network.controlClients,
      certificateArn,
      audiohookAllowedCidrs: config.audiohookAllowedCidrs,
      conversations: this.storage.conversations,
      messages: this.storage.messages,
      vocabulary: this.storage.vocabulary,
      utterances: this.delivery.queue,
      recordings: this.recordings?.bucket,
      audiohookSecret: this.secrets.audiohook,
      controlSecret: this.secrets.control,
      redactionMode: config.redactionMode,
      accessLogs: accessLogs.bucket,
      tenant: config.tenant,
      messageRetentionDays: config.messageRetentionDays,
      architecture: config.gatewayArchitecture,
      imageBuild: config.gatewayImageBuild,
      cpu: config.gatewayCpu,
      memoryMiB: config.gatewayMemoryMiB,
      minTasks: config.gatewayMinTasks,
      maxTasks: config.gatewayMaxTasks,
      connectionsPerTask: config.connectionsPerTask,
      cpuTargetPercent: config.cpuTargetPercent,
      deregistrationDelaySeconds: config.deregistrationDelaySeconds,
    });

    this.export = new Export(this, 'Export', {
      ...common,
      messages: this.storage.messages,
      conversationsTableName: this.storage.conversations.tableName,
      messageRetentionDays: config.messageRetentionDays,
      byHourIndexArn: this.storage.byHourIndexArn,
      accessLogs: accessLogs.bucket,
      tenant: config.tenant,
      removalPolicy,
    });

    this.controlApi = new ControlApi(this, 'ControlApi', {
      ...common,
      vpc: this.network.vpc,
      controlClients: this.network.controlClients,
      gatewayTasks: this.gateway.taskSecurityGroup,
      controlPort: CONTROL_PORT,
      conversations: this.storage.conversations,
      messages: this.storage.messages,
      vocabulary: this.storage.vocabulary,
      exportBucket: this.export.bucket,
      recordings: this.recordings?.bucket,
      recordingRetentionDays: config.recordingRetentionDays,
      apiCredentials: this.secrets.apiCredentials,
      controlSecret: this.secrets.control,
      tenant: config.tenant,
      redactionMode: config.redactionMode,
      messageRetentionDays: config.messageRetentionDays,
      feedUrlExpirySeconds: config.feedUrlExpirySeconds,
      stageName: config.apiStageName,
      throttleRateLimit: config.apiThrottleRateLimit,
      throttleBurstLimit: config.apiThrottleBurstLimit,
      waf: config.apiWaf ? { rateLimit: config.apiWafRateLimit, credentialRateLimit: config.apiCredentialRateLimit } : undefined,
      authorizerCacheSeconds: config.apiAuthorizerCacheSeconds,
      cloudWatchRole: config.apiCloudWatchRole,
      domainName: config.apiDomainName,
      certificateArn: config.apiCertificateArn,
    });

    this.console = new ConsoleSite(this, 'Console', {
      ...common,
      api: this.controlApi.api,
      vpc: this.network.vpc,
      controlClients: this.network.controlClients,
      conversations: this.storage.conversations,
      messages: this.storage.messages,
      exportBucket: this.export.bucket,
      apiCredentials: this.secrets.apiCredentials,
      webhookFunction: this.delivery.webhookFunction,
      tenant: config.tenant,
      redactionMode: config.redactionMode,
      messageRetentionDays: config.messageRetentionDays,
      feedUrlExpirySeconds: config.feedUrlExpirySeconds,
      accessLogs: accessLogs.bucket,
      removalPolicy,
    });

    this.observability = new Observability(this, 'Observability', {
      gateway: this.gateway,
      api: this.controlApi.api,
      queue: this.delivery.queue,
      deadLetterQueue: this.delivery.deadLetterQueue,
      functions: {
        StartStreaming: this.controlApi.startFunction,
        StopStreaming: this.controlApi.stopFunction,
        ConversationMessages: this.controlApi.messagesFunction,
        ConversationRecordings: this.controlApi.recordingsFunction,
        FileExporter: this.controlApi.fileExporterFunction,
        CustomVocabularies: this.controlApi.vocabularyFunction,
        ApiAuthorizer: this.controlApi.authorizerFunction,
        Console: this.console.consoleFunction,
        WebhookDelivery: this.delivery.webhookFunction,
        DailyExport: this.export.exportFunction,
      },
      webhookServiceName: WEBHOOK_SERVICE_NAME,
      webhookDeadlineMs: config.webhookDeadlineMs,
      deliveryEnabled: config.webhookUrl !== undefined,
      dailyExport: this.export.exportFunction,
      alarmTopicArn: config.alarmTopicArn,
    });

    // --- DNS (optional) -----------------------------------------------------------------------------
    if (config.hostedZoneId && config.hostedZoneName) {
      const zone = route53.HostedZone.fromHostedZoneAttributes(this, 'Zone', {
        hostedZoneId: config.hostedZoneId,
        zoneName: config.hostedZoneName,
      });
      if (config.gatewayDomainName) {
        new route53.ARecord(this, 'GatewayAlias', {
          zone,
          recordName: config.gatewayDomainName,
          target: route53.RecordTarget.fromAlias(new route53Targets.LoadBalancerTarget(this.gateway.loadBalancer)),
        });
      }
      if (config.apiDomainName && this.controlApi.domain) {
        new route53.ARecord(this, 'ApiAlias', {
          zone,
          recordName: config.apiDomainName,
          target: route53.RecordTarget.fromAlias(new route53Targets.ApiGatewayDomain(this.controlApi.domain)),
        });
      }
    }

    // --- outputs ------------------------------------------------------------------------------------
    const gatewayHost = config.gatewayDomainName ?? this.gateway.loadBalancer.loadBalancerDnsName;
    new CfnOutput(this, 'AudioHookUri', {
      description: 'Genesys AudioHook connection URI (the certificate must cover this host)',
      value: `wss://${gatewayHost}${AUDIOHOOK_PATH}`,
    });
    new CfnOutput(this, 'GatewayLoadBalancerDnsName', {
      description: 'Point the gateway host name (CNAME or alias) here',
      value: this.gateway.loadBalancer.loadBalancerDnsName,
    });
    new CfnOutput(this, 'ApiUrl', { description: 'Base URL of the public API', value: this.controlApi.baseUrl });
    if (this.controlApi.domain) {
      new CfnOutput(this, 'ApiDomainTarget', {
        description: 'Point the API host name (CNAME or alias) here',
        value: this.controlApi.domain.domainNameAliasDomainName,
      });
    }
    new CfnOutput(this, 'AudioHookSecretArn', {
      description: 'apiKey and clientSecret for the Genesys integration',
      value: this.secrets.audiohook.secretArn,
    });
    new CfnOutput(this, 'ApiCredentialsSecretArn', {
      description: 'asapp-api-id / asapp-api-secret pair(s)',
      value: this.secrets.apiCredentials.secretArn,
    });
    new CfnOutput(this, 'WebhookSecretArn', {
      description: 'webhook authentication material (JSON)',
      value: this.secrets.webhook.secretArn,
    });
    new CfnOutput(this, 'ConsoleUrl', {
      description: 'The live console (sign in with a user of ConsoleUserPoolId)',
      value: this.console.url,
    });
    new CfnOutput(this, 'ConsoleUserPoolId', {
      description: 'Add console users here (aws cognito-idp admin-create-user)',
      value: this.console.userPool.userPoolId,
    });
    new CfnOutput(this, 'ExportBucketName', { value: this.export.bucket.bucketName });
    if (this.recordings) new CfnOutput(this, 'RecordingsBucketName', { value: this.recordings.bucket.bucketName });
    new CfnOutput(this, 'DeadLetterQueueUrl', { value: this.delivery.deadLetterQueue.queueUrl });
    new CfnOutput(this, 'DlqOperatorPolicyArn', {
      description: 'Attach to the role or user that runs npm run dlq (list and replay dead-lettered utterances)',
      value: this.delivery.operatorPolicy.managedPolicyArn,
    });
    new CfnOutput(this, 'DashboardName', { value: this.observability.dashboard.dashboardName });

    applyNagSuppressions(this);
    this.console.applyNagSuppressions();
  }

  /**
   * The VPC's Availability Zones without a look-up, so `cdk synth` never needs credentials: with an
   * account and region, the zones the context already holds (cdk.context.json after a `cdk synth` with
   * credentials, or `-c availability-zones:account=…:region=…=[…]`); otherwise the region's first two
   * zones, chosen by CloudFormation at deploy time (Fn::GetAZs), as for an environment-agnostic stack.
   */
  override get availabilityZones(): string[] {
    if (!Token.isUnresolved(this.account) && !Token.isUnresolved(this.region)) {
      const known = this.node.tryGetContext(`availability-zones:account=${this.account}:region=${this.region}`) as string[] | undefined;
      if (Array.isArray(known) && known.length > 0) return known;
    }
    return [Fn.select(0, Fn.getAzs()), Fn.select(1, Fn.getAzs())];
  }
}
