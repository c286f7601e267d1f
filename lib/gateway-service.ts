import { Aws, Duration, RemovalPolicy, Size, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { MAX_SESSIONS_PER_TASK } from '#core/contract/gateway-capacity.ts';
import { transcribeVocabularyArns } from './transcribe-vocabularies.ts';
import type { GatewayImageBuild } from './config.ts';
import { gatewayImage } from './gateway-image.ts';
import { METRICS_NAMESPACE } from './node-function.ts';
import { AUDIOHOOK_PATH, CONTROL_PORT, GATEWAY_PORT, HEALTH_PATH, LIVE_PATH } from '#core/contract/gateway-endpoints.ts';
import { GATEWAY_SERVICE_NAME } from '#gateway/metrics/metric-names.ts';
import { AUDIOHOOK_SECRET_FIELDS } from '#core/contract/audiohook-secret.ts';

/** Fargate's longest stop timeout: SIGTERM, then at most this long before SIGKILL. */
const STOP_TIMEOUT = Duration.seconds(120);
/** The gateway's own drain deadline after SIGTERM, inside the stop timeout. */
const DRAIN_DEADLINE_MS = 110_000;
/**
 * ECS's longest health-check grace period (about 68 years): ECS never stops a task for failing the
 * load balancer's health check. A retiring task fails `/health` on purpose so the NLB sends it no new
 * calls while it finishes the live ones; ECS's default reaction to an unhealthy target (stop the task,
 * protected or not) would cut those calls. A task that is really broken is replaced through the
 * container health check (`/live`) instead, and the NLB stops routing to it either way.
 */
const HEALTH_CHECK_GRACE_PERIOD = Duration.seconds(2_147_483_647);

export interface GatewayServiceProps {
  vpc: ec2.IVpc;
  /** Security group of the Lambdas allowed to call the control port. */
  controlClients: ec2.SecurityGroup;
  /** ACM certificate ARN (or a parameter's token) for the TLS listener. */
  certificateArn: string;
  audiohookAllowedCidrs: string[];
  conversations: dynamodb.ITable;
  messages: dynamodb.ITable;
  vocabulary: dynamodb.ITable;
  utterances: sqs.IQueue;
  /** Where recorded spans go; absent: the deployment forbids recording. */
  recordings?: s3.IBucket;
  audiohookSecret: secretsmanager.ISecret;
  /** CONTROL_SECRET: control requests must be signed with it. */
  controlSecret: secretsmanager.ISecret;
  /** Re-checked by the control endpoint on every start. */
  redactionMode: string;
  accessLogs: s3.IBucket;
  tenant: string;
  messageRetentionDays: number;
  architecture: 'arm64' | 'x86_64';
  imageBuild: GatewayImageBuild;
  cpu: number;
  memoryMiB: number;
  minTasks: number;
  maxTasks: number;
  connectionsPerTask: number;
  cpuTargetPercent: number;
  deregistrationDelaySeconds: number;
  logLevel: string;
  logRetentionDays: logs.RetentionDays;
}

/**
 * The AudioHook gateway: Fargate tasks behind a Network Load Balancer.
 *
 * Why an NLB with a TLS listener (not an ALB): it forwards the WebSocket upgrade request byte for byte
 * (Host, path and signature headers reach the task as Genesys signed them), it has no HTTP idle
 * timeout to tune (the TCP idle timeout is 350 s, far above Genesys' 5 s ping interval and the
 * gateway's 30 s idle limit), it keeps established connections when a target deregisters or fails a
 * health check (both configured below), and it is billed per connection-hour at a lower rate for
 * long-lived connections. TLS terminates at the NLB with the operator's ACM certificate.
 *
 * Calls cannot move between tasks (an AudioHook session cannot be resumed elsewhere), so:
 * - the gateway protects its own task from scale-in while it holds live calls, through the ECS agent
 *   endpoint `$ECS_AGENT_URI/task-protection/v1/state` (the task role may call
 *   ecs:UpdateTaskProtection / ecs:GetTaskProtection on the cluster's tasks);
 * - a stopped task first drains through a long deregistration delay (existing connections stay,
 *   no new ones), then gets SIGTERM and up to 120 s (stopTimeout) to end what is left;
 * - Availability Zone rebalancing, which stops running tasks, is off.
 *
 * The control port (CONTROL_PORT) is not behind the load balancer: the start/stop Lambdas call the task that
 * holds a call at its private address (the gateway advertises it from the ECS task metadata), and
 * only their security group may reach that port.
 */
export class GatewayService extends Construct {
  readonly cluster: ecs.Cluster;
  readonly service: ecs.FargateService;
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly loadBalancer: elbv2.NetworkLoadBalancer;
  readonly listener: elbv2.NetworkListener;
  readonly targetGroup: elbv2.NetworkTargetGroup;
  readonly taskSecurityGroup: ec2.SecurityGroup;
  readonly loadBalancerSecurityGroup: ec2.SecurityGroup;
  readonly logGroup: logs.LogGroup;
  /** The deploy-time image build (CodeBuild), unless the image is a local Docker asset. */
  readonly imageBuild?: ReturnType<typeof gatewayImage>['codeBuild'];

  constructor(scope: Construct, id: string, props: GatewayServiceProps) {
    super(scope, id);

    this.cluster = new ecs.Cluster(this, 'Cluster', {
      vpc: props.vpc,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });

    // --- security groups -------------------------------------------------------------------------
    const lbSecurityGroup = (this.loadBalancerSecurityGroup = new ec2.SecurityGroup(this, 'LoadBalancerSecurityGroup', {
      vpc: props.vpc,
      description: 'AudioHook listener (TLS 443) from Genesys Cloud',
      allowAllOutbound: false,
    }));
    for (const cidr of props.audiohookAllowedCidrs) {
      lbSecurityGroup.addIngressRule(ec2.Peer.ipv4(cidr), ec2.Port.tcp(443), 'AudioHook over TLS');
    }
    this.taskSecurityGroup = new ec2.SecurityGroup(this, 'TaskSecurityGroup', {
      vpc: props.vpc,
      description: 'Gateway tasks: AudioHook from the load balancer, control port from the control Lambdas',
      allowAllOutbound: false,
    });
    this.taskSecurityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to AWS APIs (Transcribe, DynamoDB, SQS, ECR, logs)');
    this.taskSecurityGroup.connections.allowFrom(
      lbSecurityGroup,
      ec2.Port.tcp(GATEWAY_PORT),
      'AudioHook and health checks from the load balancer',
    );
    this.taskSecurityGroup.connections.allowFrom(
      props.controlClients,
      ec2.Port.tcp(CONTROL_PORT),
      'control port from the start/stop Lambdas',
    );

    // --- task ----------------------------------------------------------------------------------------
    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetentionDays, removalPolicy: RemovalPolicy.DESTROY });
    const arm = props.architecture === 'arm64';
    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', {
      cpu: props.cpu,
      memoryLimitMiB: props.memoryMiB,
      runtimePlatform: {
        cpuArchitecture: arm ? ecs.CpuArchitecture.ARM64 : ecs.CpuArchitecture.X86_64,
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
    });
    // Built at deploy time from dist/image/ (never at synth), in CodeBuild unless imageBuild says otherwise.
    const image = gatewayImage(this, { architecture: props.architecture, build: props.imageBuild });
    this.imageBuild = image.codeBuild;
    const container = this.taskDefinition.addContainer('gateway', {
      image: image.image,
      essential: true,
      readonlyRootFilesystem: true,
      // Liveness (the process answers), not readiness: a retiring task stays live while /health fails.
      healthCheck: {
        command: [
          'CMD',
          'node',
          '-e',
          `fetch('http://127.0.0.1:${GATEWAY_PORT}${LIVE_PATH}',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))`,
        ],
        interval: Duration.seconds(15),
        timeout: Duration.seconds(5),
        retries: 3,
        startPeriod: Duration.seconds(30),
      },
      stopTimeout: STOP_TIMEOUT,
      linuxParameters: new ecs.LinuxParameters(this, 'LinuxParameters', { initProcessEnabled: true }),
      ulimits: [{ name: ecs.UlimitName.NOFILE, softLimit: 65_535, hardLimit: 65_535 }],
      portMappings: [
        { name: 'audiohook', containerPort: GATEWAY_PORT, protocol: ecs.Protocol.TCP },
        { name: 'control', containerPort: CONTROL_PORT, protocol: ecs.Protocol.TCP },
      ],
      logging: ecs.LogDrivers.awsLogs({
        streamPrefix: 'gateway',
        logGroup: this.logGroup,
        mode: ecs.AwsLogDriverMode.NON_BLOCKING,
        maxBufferSize: Size.mebibytes(25),
      }),
      environment: {
        NODE_ENV: 'production',
        // The gateway binds loopback unless told otherwise; in the task it serves the NLB and the Lambdas.
        GATEWAY_HOST: '0.0.0.0',
        CONTROL_HOST: '0.0.0.0',
        REDACTION_MODE: props.redactionMode,
        GATEWAY_PORT: String(GATEWAY_PORT),
        AUDIOHOOK_PATH,
        CONTROL_PORT: String(CONTROL_PORT),
        RECOGNIZER: 'transcribe',
        TENANT: props.tenant,
        CONVERSATIONS_TABLE: props.conversations.tableName,
        MESSAGES_TABLE: props.messages.tableName,
        VOCABULARY_TABLE: props.vocabulary.tableName,
        // Streams name the tenant's Amazon Transcribe custom vocabulary once it is READY.
        TRANSCRIBE_VOCABULARIES: 'true',
        MESSAGE_RETENTION_DAYS: String(props.messageRetentionDays),
        UTTERANCES_QUEUE_URL: props.utterances.queueUrl,
        ...(props.recordings
          ? { CALL_RECORDING: 'allowed', RECORDINGS_BUCKET: props.recordings.bucketName }
          : { CALL_RECORDING: 'forbidden' }),
        DRAIN_DEADLINE_MS: String(DRAIN_DEADLINE_MS),
        MAX_SESSIONS: String(MAX_SESSIONS_PER_TASK),
        AWS_REGION: Aws.REGION,
        POWERTOOLS_SERVICE_NAME: GATEWAY_SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        // Metrics as EMF lines on stdout, which the awslogs driver sends to CloudWatch Logs (the alarms read them).
        GATEWAY_METRICS: 'emf',
        POWERTOOLS_LOG_LEVEL: props.logLevel,
      },
      secrets: {
        // The newest pair, and every older pair still valid during a rotation (npm run credentials keeps them).
        ...Object.fromEntries(
          Object.entries(AUDIOHOOK_SECRET_FIELDS).map(([name, field]) => [
            name,
            ecs.Secret.fromSecretsManager(props.audiohookSecret, field),
          ]),
        ),
        CONTROL_SECRET: ecs.Secret.fromSecretsManager(props.controlSecret),
      },
    });
    this.grantTaskPermissions(props);

    // --- service -------------------------------------------------------------------------------------
    this.service = new ecs.FargateService(this, 'Service', {
      cluster: this.cluster,
      taskDefinition: this.taskDefinition,
      desiredCount: props.minTasks,
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { enable: true, rollback: true },
      securityGroups: [this.taskSecurityGroup],
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      assignPublicIp: false,
      healthCheckGracePeriod: HEALTH_CHECK_GRACE_PERIOD,
      availabilityZoneRebalancing: ecs.AvailabilityZoneRebalancing.DISABLED,
      enableExecuteCommand: false,
      propagateTags: ecs.PropagatedTagSource.SERVICE,
    });

    // --- load balancer -------------------------------------------------------------------------------
    this.loadBalancer = new elbv2.NetworkLoadBalancer(this, 'LoadBalancer', {
      vpc: props.vpc,
      internetFacing: true,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      securityGroups: [lbSecurityGroup],
      crossZoneEnabled: true,
    });
    this.enableAccessLogs(props.accessLogs, 'nlb');

    this.targetGroup = new elbv2.NetworkTargetGroup(this, 'Targets', {
      vpc: props.vpc,
      port: GATEWAY_PORT,
      protocol: elbv2.Protocol.TCP,
      targetType: elbv2.TargetType.IP,
      deregistrationDelay: Duration.seconds(props.deregistrationDelaySeconds),
      // Connections to a deregistering task stay open for the whole delay.
      connectionTermination: false,
      healthCheck: {
        protocol: elbv2.Protocol.HTTP,
        path: HEALTH_PATH,
        port: String(GATEWAY_PORT),
        healthyHttpCodes: '200',
        interval: Duration.seconds(10),
        timeout: Duration.seconds(5),
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 3,
      },
    });
    // A task that fails health checks (or reports 503 while draining) gets no new calls but keeps its
    // live ones: by default an NLB resets connections to unhealthy targets.
    this.targetGroup.setAttribute('target_health_state.unhealthy.connection_termination.enabled', 'false');
    this.targetGroup.setAttribute(
      'target_health_state.unhealthy.draining_interval_seconds',
      String(Math.max(props.deregistrationDelaySeconds, 60)),
    );
    this.targetGroup.addTarget(this.service.loadBalancerTarget({ containerName: container.containerName, containerPort: GATEWAY_PORT }));

    this.listener = this.loadBalancer.addListener('AudioHook', {
      port: 443,
      protocol: elbv2.Protocol.TLS,
      certificates: [elbv2.ListenerCertificate.fromArn(props.certificateArn)],
      sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
      defaultTargetGroups: [this.targetGroup],
    });
    // The NLB's security group reaches the tasks on the AudioHook port only.
    lbSecurityGroup.addEgressRule(this.taskSecurityGroup, ec2.Port.tcp(GATEWAY_PORT), 'AudioHook and health checks to the tasks');

    // --- scaling ---------------------------------------------------------------------------------------
    const scaling = this.service.autoScaleTaskCount({ minCapacity: props.minTasks, maxCapacity: props.maxTasks });
    scaling.scaleOnCpuUtilization('Cpu', {
      targetUtilizationPercent: props.cpuTargetPercent,
      scaleOutCooldown: Duration.seconds(60),
      scaleInCooldown: Duration.seconds(300),
    });
    this.scaleOnConnectionsPerTask(scaling, props.connectionsPerTask);
  }

  /** Concurrent TLS connections on the NLB divided by the healthy tasks: the average calls per task. */
  connectionsPerTaskExpression(): cloudwatch.MathExpression {
    return new cloudwatch.MathExpression({
      label: 'AudioHook connections per task',
      expression: 'flows / IF(hosts < 1, 1, hosts)',
      period: Duration.minutes(1),
      usingMetrics: {
        flows: this.loadBalancer.metrics.custom('ActiveFlowCount_TLS', { statistic: 'Average', period: Duration.minutes(1) }),
        hosts: this.targetGroup.metrics.healthyHostCount({ statistic: 'Average', period: Duration.minutes(1) }),
      },
    });
  }

  private scaleOnConnectionsPerTask(scaling: ecs.ScalableTaskCount, target: number): void {
    const flows = this.loadBalancer.metrics.custom('ActiveFlowCount_TLS', { statistic: 'Average' });
    const hosts = this.targetGroup.metrics.healthyHostCount({ statistic: 'Average' });
    // Target tracking takes a single metric in CDK; CloudFormation also accepts metric math, set here.
    scaling.scaleToTrackCustomMetric('Connections', {
      metric: flows,
      targetValue: target,
      scaleOutCooldown: Duration.seconds(60),
      scaleInCooldown: Duration.seconds(300),
    });
    const policy = scaling.node.findChild('Target').node.findChild('Connections');
    const cfn = policy.node.findChild('Resource') as unknown as {
      addPropertyOverride(p: string, v: unknown): void;
      addPropertyDeletionOverride(p: string): void;
    };
    const spec = 'TargetTrackingScalingPolicyConfiguration.CustomizedMetricSpecification';
    for (const key of ['MetricName', 'Namespace', 'Dimensions', 'Statistic', 'Unit']) cfn.addPropertyDeletionOverride(`${spec}.${key}`);
    const stat = (m: cloudwatch.Metric) => {
      const c = m.toMetricConfig().metricStat!;
      return {
        Metric: {
          Namespace: c.namespace,
          MetricName: c.metricName,
          Dimensions: (c.dimensions ?? []).map((d) => ({ Name: d.name, Value: d.value as unknown })),
        },
        Stat: c.statistic,
      };
    };
    cfn.addPropertyOverride(`${spec}.Metrics`, [
      { Id: 'flows', MetricStat: stat(flows), ReturnData: false },
      { Id: 'hosts', MetricStat: stat(hosts), ReturnData: false },
      { Id: 'perTask', Expression: 'flows / IF(hosts < 1, 1, hosts)', Label: 'AudioHook connections per task', ReturnData: true },
    ]);
  }

  /**
   * NLB access logs (TLS connections). Written out rather than `logAccessLogs()`, which insists on a
   * concrete region for the ALB/CLB log-delivery account that NLBs do not use: NLB logs are delivered
   * by the `delivery.logs.amazonaws.com` service, so the stack stays environment-agnostic.
   */
  private enableAccessLogs(bucket: s3.IBucket, prefix: string): void {
    const account = Stack.of(this).account;
    const delivery = new iam.ServicePrincipal('delivery.logs.amazonaws.com');
    this.loadBalancer.setAttribute('access_logs.s3.enabled', 'true');
    this.loadBalancer.setAttribute('access_logs.s3.bucket', bucket.bucketName);
    this.loadBalancer.setAttribute('access_logs.s3.prefix', prefix);
    bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'NlbAccessLogDelivery',
        principals: [delivery],
        actions: ['s3:PutObject'],
        resources: [bucket.arnForObjects(`${prefix}/AWSLogs/${account}/*`)],
        conditions: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceAccount': account } },
      }),
    );
    bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'NlbAccessLogAclCheck',
        principals: [delivery],
        actions: ['s3:GetBucketAcl'],
        resources: [bucket.bucketArn],
        conditions: { StringEquals: { 'aws:SourceAccount': account } },
      }),
    );
    // The load balancer checks the bucket policy when access logging is switched on.
    if (bucket.policy) this.loadBalancer.node.addDependency(bucket.policy);
  }

  private grantTaskPermissions(props: GatewayServiceProps): void {
    const role = this.taskDefinition.taskRole;
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ConversationsControlState',
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        resources: [props.conversations.tableArn],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'RecordUtterances',
        actions: ['dynamodb:PutItem'],
        resources: [props.messages.tableArn],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: 'ReadCustomVocabularies', actions: ['dynamodb:Query'], resources: [props.vocabulary.tableArn] }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'QueueUtterances',
        actions: ['sqs:SendMessage', 'sqs:GetQueueAttributes'],
        resources: [props.utterances.queueArn],
      }),
    );
    if (props.recordings) {
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'WriteCallRecordings',
          // Recordings longer than one part are multipart uploads; a dropped one is aborted.
          actions: ['s3:PutObject', 's3:AbortMultipartUpload'],
          resources: [props.recordings.arnForObjects('recordings/*')],
        }),
      );
    }
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'TranscribeVocabularyState',
        actions: ['transcribe:GetVocabulary'],
        resources: [transcribeVocabularyArns(this)],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'TranscribeStreaming',
        // Streaming transcription has no resource type: IAM only accepts "*" here.
        actions: ['transcribe:StartStreamTranscription', 'transcribe:StartStreamTranscriptionWebSocket'],
        resources: ['*'],
      }),
    );
    const stack = Stack.of(this);
    const clusterTasks = stack.formatArn({ service: 'ecs', resource: 'task', resourceName: `${this.cluster.clusterName}/*` });
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'TaskScaleInProtection',
        // Used by the ECS agent endpoint $ECS_AGENT_URI/task-protection/v1/state on the task's behalf.
        actions: ['ecs:UpdateTaskProtection', 'ecs:GetTaskProtection'],
        resources: [clusterTasks],
      }),
    );
    // The retirement check (fargate-gateway/ecs/service-membership.ts): is this task superseded or surplus?
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ServiceMembership',
        actions: ['ecs:DescribeTasks', 'ecs:DescribeServices'],
        resources: [clusterTasks, stack.formatArn({ service: 'ecs', resource: 'service', resourceName: `${this.cluster.clusterName}/*` })],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ServiceTasks',
        // ListTasks is authorized on container instances, which Fargate has none of: "*", limited to this cluster.
        actions: ['ecs:ListTasks'],
        resources: ['*'],
        conditions: { ArnEquals: { 'ecs:cluster': this.cluster.clusterArn } },
      }),
    );
  }
}
