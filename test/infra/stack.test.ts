import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { NODE_TARGET } from '#scripts/build/node-bundle.ts';
import path from 'node:path';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  conversationsTableDefinition,
  messagesTableDefinition,
  vocabularyTableDefinition,
  BY_HOUR_INDEX,
  TTL_ATTRIBUTE,
} from '#core/stores/tables.ts';
import { CERTIFICATE_PARAMETER } from '#lib/audiohook-transcribe-stack.ts';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { GATEWAY_RESPONSES, publicApiRoutes } from '#lib/control-api.ts';
import { matchRoute } from '#local/route-matcher.ts';
import {
  CALLS_PER_TASK_TARGET,
  GATEWAY_TASK_MEMORY_MIB,
  GATEWAY_TASK_VCPU,
  MAX_SESSIONS_PER_TASK,
} from '#core/contract/gateway-capacity.ts';
import { BUILD_DIR } from '#lib/artifacts.ts';
import { LAMBDA_RUNTIME } from '#lib/node-function.ts';
import { GATEWAY_METRIC, GATEWAY_SERVICE_NAME } from '#gateway/metrics/metric-names.ts';
import { WEBHOOK_METRIC } from '#core/webhook/metric-names.ts';
import { asList, policyStatements, resourceByPrefix, synthesize, type Resources, type Synthesized } from './synth.ts';

/**
 * The default deployment (no context values), synthesized once with real esbuild bundling: the
 * template's key properties, construct by construct, and the bundles themselves.
 */
let s: Synthesized;
let t: Template;

beforeAll(() => {
  s = synthesize();
  t = s.template;
}, 120_000);
afterAll(() => s?.cleanup());

const LAMBDA_ENTRIES = {
  ControlApiStartStreaming: 'start-streaming',
  ControlApiStopStreaming: 'stop-streaming',
  ControlApiConversationMessages: 'conversation-messages',
  ControlApiConversationRecordings: 'conversation-recordings',
  ControlApiFileExporter: 'file-exporter',
  ControlApiCustomVocabularies: 'custom-vocabularies',
  ControlApiAuthorizer: 'api-authorizer',
  DeliveryWebhookFunction: 'webhook-delivery',
  ExportDailyExport: 'daily-export',
  ConsoleConsoleApi: 'console',
} as const;

function fn(prefix: keyof typeof LAMBDA_ENTRIES) {
  const found = Object.entries(t.findResources('AWS::Lambda::Function') as Resources).filter(
    ([id]) => id.startsWith(prefix) && !id.startsWith(`${prefix}Logs`) && !id.startsWith(`${prefix}Role`),
  );
  expect(found, prefix).toHaveLength(1);
  return { id: found[0][0], props: found[0][1].Properties! };
}

describe('storage', () => {
  it('creates the three tables on demand with PITR, AWS-managed encryption and TTL on expiresAt', () => {
    const tables = Object.values(t.findResources('AWS::DynamoDB::Table') as Resources);
    expect(tables).toHaveLength(3);
    for (const table of tables) {
      expect(table.Properties).toMatchObject({
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        // Encrypted with the AWS managed KMS key (SSEType defaults to KMS when SSE is enabled).
        SSESpecification: { SSEEnabled: true },
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      });
      expect(table.DeletionPolicy).toBe('Retain');
    }
  });

  it('matches the key layout the application uses (core/stores/tables.ts), including the byHour index', () => {
    const conversations = resourceByPrefix(t, 'AWS::DynamoDB::Table', 'StorageConversations').props;
    const messages = resourceByPrefix(t, 'AWS::DynamoDB::Table', 'StorageMessages').props;
    const local = { conversations: conversationsTableDefinition('x'), messages: messagesTableDefinition('x') };
    expect(conversations.KeySchema).toEqual(local.conversations.KeySchema);
    expect(resourceByPrefix(t, 'AWS::DynamoDB::Table', 'StorageCustomVocabularies').props.KeySchema).toEqual(
      vocabularyTableDefinition('x').KeySchema,
    );
    expect(messages.KeySchema).toEqual(local.messages.KeySchema);
    const sortAttrs = (a: Array<{ AttributeName?: string }>) =>
      [...a].sort((x, y) => String(x.AttributeName).localeCompare(String(y.AttributeName)));
    expect(sortAttrs(messages.AttributeDefinitions)).toEqual(sortAttrs(local.messages.AttributeDefinitions!));
    expect(messages.GlobalSecondaryIndexes).toEqual([
      { IndexName: BY_HOUR_INDEX, KeySchema: local.messages.GlobalSecondaryIndexes![0].KeySchema, Projection: { ProjectionType: 'ALL' } },
    ]);
    expect(messages.TimeToLiveSpecification.AttributeName).toBe(TTL_ATTRIBUTE);
  });
});

describe('secrets', () => {
  it('generates the AudioHook client secret and the API secret; nothing secret is in the template', () => {
    const audiohook = resourceByPrefix(t, 'AWS::SecretsManager::Secret', 'SecretsAudioHook').props;
    expect(audiohook.GenerateSecretString).toMatchObject({
      GenerateStringKey: 'clientSecret',
      PasswordLength: 44,
      ExcludePunctuation: true,
    });
    const api = resourceByPrefix(t, 'AWS::SecretsManager::Secret', 'SecretsApiCredentials').props;
    expect(api.GenerateSecretString).toMatchObject({ GenerateStringKey: 'secret', ExcludePunctuation: true });
    // The webhook secret starts as an empty JSON object for the operator to fill in.
    expect(resourceByPrefix(t, 'AWS::SecretsManager::Secret', 'SecretsWebhook').props.SecretString).toBe('{}');
  });

  it('never puts a secret value in an environment: only ARNs, and the container gets Secrets Manager references', () => {
    for (const f of Object.values(t.findResources('AWS::Lambda::Function') as Resources)) {
      for (const [name, value] of Object.entries((f.Properties!.Environment?.Variables ?? {}) as Record<string, unknown>)) {
        if (/SECRET|PASSWORD|TOKEN_VALUE|KEY_PEM/.test(name)) expect(name).toMatch(/_ARN$/);
        void value;
      }
    }
    const [container] = resourceByPrefix(t, 'AWS::ECS::TaskDefinition', 'GatewayTask').props.ContainerDefinitions;
    expect(container.Environment.map((e: { Name: string }) => e.Name)).not.toContain('AUDIOHOOK_CLIENT_SECRET');
    const secretId = resourceByPrefix(t, 'AWS::SecretsManager::Secret', 'SecretsAudioHook').id;
    const controlSecretId = resourceByPrefix(t, 'AWS::SecretsManager::Secret', 'SecretsControl').id;
    expect(container.Secrets).toEqual([
      { Name: 'AUDIOHOOK_API_KEY', ValueFrom: { 'Fn::Join': ['', [{ Ref: secretId }, ':apiKey::']] } },
      { Name: 'AUDIOHOOK_CLIENT_SECRET', ValueFrom: { 'Fn::Join': ['', [{ Ref: secretId }, ':clientSecret::']] } },
      { Name: 'AUDIOHOOK_API_KEYS', ValueFrom: { 'Fn::Join': ['', [{ Ref: secretId }, ':apiKeys::']] } },
      { Name: 'CONTROL_SECRET', ValueFrom: { Ref: controlSecretId } },
    ]);
    // Every field the task reads exists from the start (a missing JSON key stops the task from starting):
    // apiKeys, the pairs still valid during a rotation, is created empty.
    const template = JSON.stringify(resourceByPrefix(t, 'AWS::SecretsManager::Secret', 'SecretsAudioHook').props.GenerateSecretString);
    expect(template).toContain('\\"apiKeys\\":\\"\\"');
    expect(template).toContain('\\"apiKey\\":\\"ah-');
  });
});

describe('gateway', () => {
  it('listens with TLS on 443 (certificate from the GatewayCertificateArn parameter) and forwards TCP to the tasks', () => {
    t.hasParameter(CERTIFICATE_PARAMETER, { Type: 'String', AllowedPattern: Match.stringLikeRegexp('acm') });
    t.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 1);
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Protocol: 'TLS',
      Certificates: [{ CertificateArn: { Ref: CERTIFICATE_PARAMETER } }],
      SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
    });
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Type: 'network',
      Scheme: 'internet-facing',
      LoadBalancerAttributes: Match.arrayWith([
        { Key: 'load_balancing.cross_zone.enabled', Value: 'true' },
        { Key: 'access_logs.s3.enabled', Value: 'true' },
      ]),
    });
  });

  it('health-checks /health and keeps live calls through deregistration and failed health checks', () => {
    const tg = resourceByPrefix(t, 'AWS::ElasticLoadBalancingV2::TargetGroup', 'GatewayTargets').props;
    expect(tg).toMatchObject({
      Port: 8080,
      Protocol: 'TCP',
      TargetType: 'ip',
      HealthCheckProtocol: 'HTTP',
      HealthCheckPath: '/health',
      HealthCheckPort: '8080',
      Matcher: { HttpCode: '200' },
    });
    expect(tg.TargetGroupAttributes).toEqual(
      expect.arrayContaining([
        { Key: 'deregistration_delay.timeout_seconds', Value: '3600' },
        { Key: 'deregistration_delay.connection_termination.enabled', Value: 'false' },
        { Key: 'target_health_state.unhealthy.connection_termination.enabled', Value: 'false' },
      ]),
    );
  });

  it('runs the gateway container with the Transcribe recognizer, drain timeout and init process', () => {
    const task = resourceByPrefix(t, 'AWS::ECS::TaskDefinition', 'GatewayTask').props;
    expect(task).toMatchObject({
      RequiresCompatibilities: ['FARGATE'],
      NetworkMode: 'awsvpc',
      Cpu: String(GATEWAY_TASK_VCPU * 1024),
      Memory: String(GATEWAY_TASK_MEMORY_MIB),
      RuntimePlatform: { CpuArchitecture: 'ARM64' },
    });
    const [c] = task.ContainerDefinitions;
    expect(c).toMatchObject({ StopTimeout: 120, ReadonlyRootFilesystem: true, LinuxParameters: { InitProcessEnabled: true } });
    expect(c.PortMappings.map((p: { ContainerPort: number }) => p.ContainerPort)).toEqual([8080, 8081]);
    const env = Object.fromEntries(c.Environment.map((e: { Name: string; Value: unknown }) => [e.Name, e.Value]));
    expect(env).toMatchObject({
      NODE_ENV: 'production',
      RECOGNIZER: 'transcribe',
      GATEWAY_PORT: '8080',
      CONTROL_PORT: '8081',
      AUDIOHOOK_PATH: '/audiohook/ws',
      MESSAGE_RETENTION_DAYS: '7',
      TENANT: 'default',
      DRAIN_DEADLINE_MS: '110000',
      MAX_SESSIONS: String(MAX_SESSIONS_PER_TASK),
      GATEWAY_HOST: '0.0.0.0',
      CONTROL_HOST: '0.0.0.0',
      REDACTION_MODE: 'default',
    });
    for (const name of ['CONVERSATIONS_TABLE', 'MESSAGES_TABLE', 'UTTERANCES_QUEUE_URL']) expect(env[name]).toHaveProperty('Ref');
    // Control requests are signed with a secret from Secrets Manager, never in the environment in clear.
    expect(c.Secrets.map((x: { Name: string }) => x.Name)).toContain('CONTROL_SECRET');
    expect(env).not.toHaveProperty('CONTROL_SECRET');
  });

  it('builds the gateway image in the account at deploy time (CodeBuild, native ARM64), so `cdk deploy` needs no Docker', () => {
    const manifest = JSON.parse(readFileSync(path.join(s.outdir, 'AudiohookTranscribe.assets.json'), 'utf8'));
    // No Docker image asset: the CDK CLI would need Docker on the deployer's machine to build it.
    expect(Object.keys(manifest.dockerImages ?? {})).toEqual([]);

    // The build context is a plain file asset: dist/image/ (Dockerfile + the built gateway), no node_modules.
    const files = Object.values(manifest.files as Record<string, { source: { path: string; packaging?: string } }>);
    const contexts = files.filter((f) => existsSync(path.join(s.outdir, f.source.path, 'Dockerfile')));
    expect(contexts).toHaveLength(1);
    const context = path.join(s.outdir, contexts[0].source.path);
    expect(readdirSync(context).sort()).toEqual(['Dockerfile', 'gateway']);
    expect(existsSync(path.join(context, 'gateway', 'main.mjs'))).toBe(true);
    expect(readdirSync(context, { recursive: true }).some((f) => String(f).split(path.sep).includes('node_modules'))).toBe(false);

    const build = resourceByPrefix(t, 'Custom::CDKContainerImageBuild', 'GatewayImage').props;
    expect(build.buildCommand).toMatch(/^docker buildx build .*--platform linux\/arm64/);
    const project = resourceByPrefix(t, 'AWS::CodeBuild::Project', 'ContainerImageBuild').props;
    expect(project.Environment).toMatchObject({ Type: 'ARM_CONTAINER', PrivilegedMode: true });
    expect(build.codeBuildProjectName).toEqual({ Ref: resourceByPrefix(t, 'AWS::CodeBuild::Project', 'ContainerImageBuild').id });

    // The task runs the image the build pushed: this stack's repository, tagged by the custom resource.
    const repository = resourceByPrefix(t, 'AWS::ECR::Repository', 'GatewayImage');
    expect(repository.props).toMatchObject({ EmptyOnDelete: true, ImageScanningConfiguration: { ScanOnPush: true } });
    const [c] = resourceByPrefix(t, 'AWS::ECS::TaskDefinition', 'GatewayTask').props.ContainerDefinitions;
    const image = JSON.stringify(c.Image);
    expect(image).toContain(repository.id);
    expect(image).toContain('ImageTag');
  });

  it('retires without ECS killing it: ECS ignores load balancer health (liveness is the container check on /live), and the task may read its service', () => {
    const service = resourceByPrefix(t, 'AWS::ECS::Service', 'GatewayService').props;
    expect(service.HealthCheckGracePeriodSeconds).toBe(2_147_483_647);
    const [c] = resourceByPrefix(t, 'AWS::ECS::TaskDefinition', 'GatewayTask').props.ContainerDefinitions;
    expect(c.HealthCheck.Command.join(' ')).toContain('http://127.0.0.1:8080/live');
    const bySid = Object.fromEntries(
      policyStatements(t)
        .filter((p) => p.policy.startsWith('GatewayTaskTaskRole'))
        .map((p) => [p.statement.Sid, p.statement]),
    );
    expect(asList(bySid.ServiceMembership!.Action).sort()).toEqual(['ecs:DescribeServices', 'ecs:DescribeTasks']);
    expect(bySid.ServiceTasks).toMatchObject({
      Action: 'ecs:ListTasks',
      Resource: '*',
      Condition: { ArnEquals: { 'ecs:cluster': expect.anything() } },
    });
  });

  it("protects tasks holding calls: task-protection permission on this cluster's tasks, AZ rebalancing off, rollback on failure", () => {
    const { statement } = policyStatements(t).find((p) => p.statement.Sid === 'TaskScaleInProtection')!;
    expect(asList(statement.Action).sort()).toEqual(['ecs:GetTaskProtection', 'ecs:UpdateTaskProtection']);
    const clusterId = resourceByPrefix(t, 'AWS::ECS::Cluster', 'GatewayCluster').id;
    expect(JSON.stringify(statement.Resource)).toContain(`":task/",{"Ref":"${clusterId}"},"/*"`);
    expect(policyStatements(t).find((p) => p.statement.Sid === 'TaskScaleInProtection')!.policy).toMatch(/^GatewayTaskTaskRole/);
    t.hasResourceProperties('AWS::ECS::Service', {
      LaunchType: 'FARGATE',
      AvailabilityZoneRebalancing: 'DISABLED',
      DeploymentConfiguration: {
        MinimumHealthyPercent: 100,
        MaximumPercent: 200,
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
      },
      NetworkConfiguration: { AwsvpcConfiguration: { AssignPublicIp: 'DISABLED' } },
    });
    t.hasResourceProperties('AWS::ECS::Cluster', { ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }] });
  });

  it('scales on CPU and on AudioHook connections per healthy task', () => {
    t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 2, MaxCapacity: 10 });
    t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: {
        PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
        TargetValue: 60,
      },
    });
    const connections = Object.values(t.findResources('AWS::ApplicationAutoScaling::ScalingPolicy') as Resources)
      .map((r) => r.Properties!.TargetTrackingScalingPolicyConfiguration)
      .find((c) => c.CustomizedMetricSpecification);
    expect(connections.TargetValue).toBe(CALLS_PER_TASK_TARGET);
    const spec = connections.CustomizedMetricSpecification;
    expect(Object.keys(spec)).toEqual(['Metrics']);
    expect(spec.Metrics.map((m: { Id: string }) => m.Id)).toEqual(['flows', 'hosts', 'perTask']);
    expect(spec.Metrics[0].MetricStat.Metric).toMatchObject({ Namespace: 'AWS/NetworkELB', MetricName: 'ActiveFlowCount_TLS' });
    expect(spec.Metrics[1].MetricStat.Metric).toMatchObject({ Namespace: 'AWS/NetworkELB', MetricName: 'HealthyHostCount' });
    expect(spec.Metrics[2]).toMatchObject({ Expression: 'flows / IF(hosts < 1, 1, hosts)', ReturnData: true });
  });

  it('admits the control port only from the control Lambdas and the AudioHook port only from the load balancer', () => {
    const taskSg = resourceByPrefix(t, 'AWS::EC2::SecurityGroup', 'GatewayTaskSecurityGroup').id;
    const controlSg = resourceByPrefix(t, 'AWS::EC2::SecurityGroup', 'NetworkControlClients').id;
    const lbSg = resourceByPrefix(t, 'AWS::EC2::SecurityGroup', 'GatewayLoadBalancerSecurityGroup').id;
    expect(resourceByPrefix(t, 'AWS::EC2::SecurityGroup', 'GatewayTaskSecurityGroup').props.SecurityGroupIngress).toBeUndefined();
    const ingress = Object.values(t.findResources('AWS::EC2::SecurityGroupIngress') as Resources)
      .map((r) => r.Properties!)
      .filter((p) => p.GroupId['Fn::GetAtt'][0] === taskSg)
      .map((p) => ({ port: p.FromPort, to: p.ToPort, from: p.SourceSecurityGroupId['Fn::GetAtt'][0] }));
    expect(ingress.sort((a, b) => a.port - b.port)).toEqual([
      { port: 8080, to: 8080, from: lbSg },
      { port: 8081, to: 8081, from: controlSg },
    ]);
  });

  it('lets the task role use Transcribe streaming, its tables and the queue, and nothing more', () => {
    const statements = policyStatements(t)
      .filter((p) => p.policy.startsWith('GatewayTaskTaskRole'))
      .map((p) => p.statement);
    const bySid = Object.fromEntries(statements.map((st) => [st.Sid, st]));
    expect(Object.keys(bySid).sort()).toEqual([
      'ConversationsControlState',
      'QueueUtterances',
      'ReadCustomVocabularies',
      'RecordUtterances',
      'ServiceMembership',
      'ServiceTasks',
      'TaskScaleInProtection',
      'TranscribeStreaming',
      'TranscribeVocabularyState',
      'WriteCallRecordings',
    ]);
    expect(bySid.ReadCustomVocabularies).toMatchObject({
      Action: 'dynamodb:Query',
      Resource: { 'Fn::GetAtt': [expect.stringMatching(/^StorageCustomVocabularies/), 'Arn'] },
    });
    expect(bySid.TranscribeStreaming).toMatchObject({
      Resource: '*',
      Action: ['transcribe:StartStreamTranscription', 'transcribe:StartStreamTranscriptionWebSocket'],
    });
    expect(bySid.RecordUtterances).toMatchObject({
      Action: 'dynamodb:PutItem',
      Resource: { 'Fn::GetAtt': [expect.stringMatching(/^StorageMessages/), 'Arn'] },
    });
    expect(bySid.QueueUtterances.Resource).toEqual({
      'Fn::GetAtt': [resourceByPrefix(t, 'AWS::SQS::Queue', 'DeliveryUtterances').id, 'Arn'],
    });
  });
});

describe('control API', () => {
  it('routes start/stop, messages, File Exporter and custom vocabularies to their Lambdas (proxy integration)', () => {
    const resources = t.findResources('AWS::ApiGateway::Resource') as Resources;
    const pathOf = (id: string): string => {
      const r = resources[id].Properties!;
      const parent = r.ParentId.Ref as string | undefined;
      return `${parent && resources[parent] ? pathOf(parent) : ''}/${r.PathPart}`;
    };
    const routes = Object.values(t.findResources('AWS::ApiGateway::Method') as Resources).map((m) => {
      const p = m.Properties!;
      return {
        method: p.HttpMethod,
        path: pathOf(p.ResourceId.Ref),
        type: p.Integration.Type,
        auth: p.AuthorizationType,
        fn: JSON.stringify(p.Integration.Uri).match(/"(ControlApi[A-Za-z]+?)[0-9A-F]{8}"/)?.[1],
      };
    });
    // The console's routes (Cognito-authorized) are checked in console.test.ts.
    const publicRoutes = routes.filter((r) => !r.path.startsWith('/console/'));
    expect(publicRoutes.sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method))).toEqual([
      {
        method: 'GET',
        path: '/configuration/v1/auto-transcribe/custom-vocabularies',
        type: 'AWS_PROXY',
        auth: 'CUSTOM',
        fn: 'ControlApiCustomVocabularies',
      },
      {
        method: 'POST',
        path: '/configuration/v1/auto-transcribe/custom-vocabularies',
        type: 'AWS_PROXY',
        auth: 'CUSTOM',
        fn: 'ControlApiCustomVocabularies',
      },
      {
        method: 'DELETE',
        path: '/configuration/v1/auto-transcribe/custom-vocabularies/{customVocabularyId}',
        type: 'AWS_PROXY',
        auth: 'CUSTOM',
        fn: 'ControlApiCustomVocabularies',
      },
      {
        method: 'GET',
        path: '/configuration/v1/auto-transcribe/custom-vocabularies/{customVocabularyId}',
        type: 'AWS_PROXY',
        auth: 'CUSTOM',
        fn: 'ControlApiCustomVocabularies',
      },
      {
        method: 'GET',
        path: '/configuration/v1/auto-transcribe/custom-vocabulary-status',
        type: 'AWS_PROXY',
        auth: 'CUSTOM',
        fn: 'ControlApiCustomVocabularies',
      },
      {
        method: 'GET',
        path: '/conversation/v1/conversation/messages',
        type: 'AWS_PROXY',
        auth: 'CUSTOM',
        fn: 'ControlApiConversationMessages',
      },
      {
        method: 'GET',
        path: '/conversation/v1/conversation/recordings',
        type: 'AWS_PROXY',
        auth: 'CUSTOM',
        fn: 'ControlApiConversationRecordings',
      },
      { method: 'POST', path: '/fileexporter/v1/static/{operation}', type: 'AWS_PROXY', auth: 'CUSTOM', fn: 'ControlApiFileExporter' },
      { method: 'POST', path: '/mg-autotranscribe/v1/start-streaming', type: 'AWS_PROXY', auth: 'CUSTOM', fn: 'ControlApiStartStreaming' },
      { method: 'POST', path: '/mg-autotranscribe/v1/stop-streaming', type: 'AWS_PROXY', auth: 'CUSTOM', fn: 'ControlApiStopStreaming' },
    ]);
    // The same routes, to the same Lambdas, as the table the local runtime serves: nothing more, nothing less.
    const fnOf = {
      'start-streaming': 'ControlApiStartStreaming',
      'stop-streaming': 'ControlApiStopStreaming',
      'conversation-messages': 'ControlApiConversationMessages',
      'conversation-recordings': 'ControlApiConversationRecordings',
      'file-exporter': 'ControlApiFileExporter',
      'custom-vocabularies': 'ControlApiCustomVocabularies',
    };
    const table = publicApiRoutes().map((r) => ({ method: r.method, path: r.resource, fn: fnOf[r.lambda] }));
    const byRoute = (a: { path: string; method: string }, b: { path: string; method: string }) =>
      a.path.localeCompare(b.path) || a.method.localeCompare(b.method);
    expect(publicRoutes.map((r) => ({ method: r.method, path: r.path, fn: r.fn })).sort(byRoute)).toEqual(table.sort(byRoute));
    for (const r of publicRoutes)
      expect(matchRoute(r.method, r.path.replace(/\{\w+\}/g, 'x'))?.route.lambda, r.path).toBe(
        Object.entries(fnOf).find(([, fn]) => fn === r.fn)?.[0],
      );
  });

  it("re-shapes API Gateway's own responses into the error envelope with the request id", () => {
    const responses = Object.values(t.findResources('AWS::ApiGateway::GatewayResponse') as Resources).map((r) => r.Properties!);
    const byType = Object.fromEntries(responses.map((r) => [r.ResponseType, r]));
    const expected = {
      DEFAULT_4XX: ['400', '400-01'],
      DEFAULT_5XX: ['500', '500-01'],
      THROTTLED: ['429', '429-01'],
      MISSING_AUTHENTICATION_TOKEN: ['404', '404-01'],
      INTEGRATION_TIMEOUT: ['503', '503-01'],
      REQUEST_TOO_LARGE: ['413', '413-01'],
      UNAUTHORIZED: ['401', '401-01'],
      ACCESS_DENIED: ['403', '403-01'],
    };
    for (const [type, [status, code]] of Object.entries(expected)) {
      expect(byType[type], type).toBeDefined();
      expect(byType[type].StatusCode).toBe(status);
      expect(byType[type].ResponseParameters).toEqual({ 'gatewayresponse.header.Content-Type': "'application/json'" });
      const body = byType[type].ResponseTemplates['application/json'] as string;
      // The template is the envelope once API Gateway substitutes $context.requestId.
      const parsed = JSON.parse(body.replace('$context.requestId', '8e033668-9f1a-11ec-b909-0242ac120002'));
      expect(Object.keys(parsed.error)).toEqual(['requestId', 'message', 'code']);
      expect(parsed.error.code).toBe(code);
      expect(body).toContain('"requestId":"$context.requestId"');
    }
    expect(responses).toHaveLength(GATEWAY_RESPONSES.length);
    // Every status matches the code prefix.
    for (const r of responses) expect(JSON.parse(r.ResponseTemplates['application/json']).error.code.split('-')[0]).toBe(r.StatusCode);
  });

  it('throttles, writes JSON access logs and error execution logs, never request data', () => {
    const stage = resourceByPrefix(t, 'AWS::ApiGateway::Stage', 'ControlApiDeploymentStage').props;
    expect(stage.StageName).toBe('prod');
    expect(stage.MethodSettings).toEqual([
      expect.objectContaining({
        HttpMethod: '*',
        ResourcePath: '/*',
        ThrottlingRateLimit: 50,
        ThrottlingBurstLimit: 100,
        LoggingLevel: 'ERROR',
        DataTraceEnabled: false,
        MetricsEnabled: true,
      }),
    ]);
    expect(JSON.stringify(stage.AccessLogSetting.DestinationArn)).toMatch(/"Ref":"ControlApiAccessLogs/);
    const format = JSON.parse(stage.AccessLogSetting.Format);
    expect(format).toMatchObject({ requestId: '$context.requestId', status: '$context.status', errorType: '$context.error.responseType' });
    expect(JSON.stringify(format)).not.toMatch(/header|body/i);
    t.hasResourceProperties('AWS::ApiGateway::RestApi', { EndpointConfiguration: { Types: ['REGIONAL'] } });
  });

  it('puts the start/stop Lambdas in the VPC behind the control-client security group, the others outside', () => {
    const controlSg = resourceByPrefix(t, 'AWS::EC2::SecurityGroup', 'NetworkControlClients').id;
    for (const prefix of ['ControlApiStartStreaming', 'ControlApiStopStreaming'] as const) {
      expect(fn(prefix).props.VpcConfig.SecurityGroupIds).toEqual([{ 'Fn::GetAtt': [controlSg, 'GroupId'] }]);
    }
    for (const prefix of [
      'ControlApiConversationMessages',
      'ControlApiFileExporter',
      'DeliveryWebhookFunction',
      'ExportDailyExport',
    ] as const) {
      expect(fn(prefix).props.VpcConfig).toBeUndefined();
    }
    const egress = Object.values(t.findResources('AWS::EC2::SecurityGroupEgress') as Resources).map((r) => r.Properties!);
    expect(egress).toContainEqual(
      expect.objectContaining({ GroupId: { 'Fn::GetAtt': [controlSg, 'GroupId'] }, FromPort: 8081, ToPort: 8081 }),
    );
  });
});

describe('delivery', () => {
  it('encrypts the queue and its DLQ, enforces TLS, and dead-letters after one receive by default', () => {
    const dlq = resourceByPrefix(t, 'AWS::SQS::Queue', 'DeliveryDeadLetters');
    const queue = resourceByPrefix(t, 'AWS::SQS::Queue', 'DeliveryUtterances').props;
    expect(queue).toMatchObject({
      SqsManagedSseEnabled: true,
      RedrivePolicy: { maxReceiveCount: 1, deadLetterTargetArn: { 'Fn::GetAtt': [dlq.id, 'Arn'] } },
    });
    expect(dlq.props).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 86_400 });
    expect(queue.VisibilityTimeout).toBeGreaterThanOrEqual(6 * fn('DeliveryWebhookFunction').props.Timeout);
    const policies = Object.values(t.findResources('AWS::SQS::QueuePolicy') as Resources);
    expect(policies).toHaveLength(2);
    for (const p of policies) {
      expect(p.Properties!.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
    }
  });

  it("caps the webhook Lambda with the event-source maximum, reserving no concurrency (a new account's quota of 10 has none to spare), reporting batch item failures", () => {
    const webhook = fn('DeliveryWebhookFunction');
    for (const f of Object.values(t.findResources('AWS::Lambda::Function') as Resources))
      expect(f.Properties!.ReservedConcurrentExecutions).toBeUndefined();
    t.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: webhook.id },
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 5 },
      // No webhookUrl in the default context: delivery is off until one is configured.
      Enabled: false,
    });
    const env = webhook.props.Environment.Variables;
    expect(env).toMatchObject({
      WEBHOOK_AUTH_MODE: 'none',
      WEBHOOK_MAX_ATTEMPTS: '1',
      WEBHOOK_TIMEOUT_MS: '5000',
      WEBHOOK_DEADLINE_MS: '60000',
    });
    expect(env.WEBHOOK_SECRET_ARN).toEqual({ Ref: resourceByPrefix(t, 'AWS::SecretsManager::Secret', 'SecretsWebhook').id });
    expect(env.UTTERANCES_QUEUE_URL).toEqual({ Ref: resourceByPrefix(t, 'AWS::SQS::Queue', 'DeliveryUtterances').id });
    const dlq = resourceByPrefix(t, 'AWS::SQS::Queue', 'DeliveryDeadLetters').id;
    expect(env.WEBHOOK_DLQ_URL).toEqual({ Ref: dlq });
    const send = policyStatements(t).filter(
      (p) => p.policy.startsWith('DeliveryWebhookFunction') && asList(p.statement.Action).includes('sqs:SendMessage'),
    );
    expect(send.map((p) => p.statement.Resource)).toEqual([{ 'Fn::GetAtt': [dlq, 'Arn'] }]);
  });
});

describe('export', () => {
  it('keeps the feed in a private, SSE-S3, TLS-only, unversioned bucket whose files expire after 32 days', () => {
    const bucket = resourceByPrefix(t, 'AWS::S3::Bucket', 'ExportBucket').props;
    expect(bucket).toMatchObject({
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LifecycleConfiguration: { Rules: [expect.objectContaining({ ExpirationInDays: 32, Status: 'Enabled' })] },
      LoggingConfiguration: { LogFilePrefix: 'exports/' },
    });
    expect(bucket.VersioningConfiguration).toBeUndefined();
    const policy = Object.values(t.findResources('AWS::S3::BucketPolicy') as Resources).find((p) =>
      p.Properties!.Bucket.Ref.startsWith('ExportBucket'),
    )!;
    expect(policy.Properties!.PolicyDocument.Statement).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
  });

  it('runs the export Lambda at 02:00 UTC every day', () => {
    const daily = fn('ExportDailyExport');
    t.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'cron(0 2 * * ? *)',
      State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [daily.id, 'Arn'] }, RetryPolicy: { MaximumRetryAttempts: 2 } })],
    });
    expect(daily.props).toMatchObject({ Timeout: 900, MemorySize: 1024 });
    expect(daily.props.Environment.Variables).toMatchObject({ FEED_RETENTION_DAYS: '32', API_TENANT: 'default' });
  });

  it('lets the export read only the byHour index and write only to the exports bucket; the File Exporter only list and read it', () => {
    const sids = (policyPrefix: string) =>
      Object.fromEntries(
        policyStatements(t)
          .filter((p) => p.policy.startsWith(policyPrefix))
          .map((p) => [p.statement.Sid ?? 'grant', p.statement]),
      );
    const daily = sids('ExportDailyExportRole');
    expect(daily.ReadHourIndex).toMatchObject({
      Action: 'dynamodb:Query',
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^StorageMessages/), 'Arn'] }, '/index/byHour']] },
    });
    expect(asList(daily.WriteFeedFiles.Action).sort()).toEqual(['s3:AbortMultipartUpload', 's3:DeleteObject', 's3:PutObject']);
    const files = sids('ControlApiFileExporterRole');
    expect(files.ListFeed.Action).toBe('s3:ListBucket');
    expect(files.PresignFeedFiles.Action).toBe('s3:GetObject');
  });
});

describe('Amazon Transcribe custom vocabularies', () => {
  it("lets the vocabulary routes build and the gateway read only this service's Transcribe vocabularies", () => {
    const vocabularyArn = {
      'Fn::Join': [
        '',
        ['arn:', { Ref: 'AWS::Partition' }, ':transcribe:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':vocabulary/ahv-*'],
      ],
    };
    const statement = (prefix: string, sid: string) =>
      policyStatements(t).find((p) => p.policy.startsWith(prefix) && p.statement.Sid === sid)?.statement;
    expect(statement('ControlApiCustomVocabulariesRole', 'TranscribeVocabularies')).toMatchObject({
      Action: ['transcribe:CreateVocabulary', 'transcribe:DeleteVocabulary', 'transcribe:GetVocabulary'],
      Resource: vocabularyArn,
    });
    expect(statement('ControlApiCustomVocabulariesRole', 'ListTranscribeVocabularies')).toMatchObject({
      Action: 'transcribe:ListVocabularies',
      Resource: '*',
    });
    expect(statement('GatewayTaskTaskRole', 'TranscribeVocabularyState')).toMatchObject({
      Action: 'transcribe:GetVocabulary',
      Resource: vocabularyArn,
    });
    const vocabularyFunction = Object.entries(t.findResources('AWS::Lambda::Function') as Resources).find(([id]) =>
      id.startsWith('ControlApiCustomVocabularies'),
    )![1];
    expect(vocabularyFunction.Properties!.Environment.Variables.TRANSCRIBE_VOCABULARIES).toBe('true');
    const task = resourceByPrefix(t, 'AWS::ECS::TaskDefinition', 'GatewayTask').props;
    expect(task.ContainerDefinitions[0].Environment).toContainEqual({ Name: 'TRANSCRIBE_VOCABULARIES', Value: 'true' });
  });
});

describe('call recording', () => {
  it('keeps recordings in a private, SSE-S3, TLS-only, unversioned bucket with a 7-day retention and access logs', () => {
    const bucket = resourceByPrefix(t, 'AWS::S3::Bucket', 'RecordingsBucket');
    expect(bucket.props).toMatchObject({
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LifecycleConfiguration: {
        Rules: [
          expect.objectContaining({ ExpirationInDays: 7, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 }, Status: 'Enabled' }),
        ],
      },
      LoggingConfiguration: { LogFilePrefix: 'recordings/' },
    });
    expect(bucket.props.VersioningConfiguration).toBeUndefined();
    const policy = Object.values(t.findResources('AWS::S3::BucketPolicy') as Resources).find((p) =>
      p.Properties!.Bucket.Ref.startsWith('RecordingsBucket'),
    )!;
    expect(policy.Properties!.PolicyDocument.Statement).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
  });

  it('lets the gateway only write recordings and the recordings route only list and read them', () => {
    const bucket = resourceByPrefix(t, 'AWS::S3::Bucket', 'RecordingsBucket').id;
    const task = resourceByPrefix(t, 'AWS::ECS::TaskDefinition', 'GatewayTask').props;
    expect(task.ContainerDefinitions[0].Environment).toEqual(
      expect.arrayContaining([
        { Name: 'CALL_RECORDING', Value: 'allowed' },
        { Name: 'RECORDINGS_BUCKET', Value: { Ref: bucket } },
      ]),
    );
    const bySid = (prefix: string) =>
      Object.fromEntries(
        policyStatements(t)
          .filter((p) => p.policy.startsWith(prefix))
          .map((p) => [p.statement.Sid ?? 'grant', p.statement]),
      );
    const writers = policyStatements(t).filter((p) => JSON.stringify(p.statement.Resource).includes(bucket));
    expect(writers.map((p) => p.statement.Sid).sort()).toEqual(['ListRecordings', 'ReadRecordings', 'WriteCallRecordings']);
    expect(asList(bySid('GatewayTaskTaskRole').WriteCallRecordings.Action).sort()).toEqual(['s3:AbortMultipartUpload', 's3:PutObject']);
    const reader = bySid('ControlApiConversationRecordingsRole');
    expect(reader.ListRecordings.Action).toBe('s3:ListBucket');
    expect(reader.ReadRecordings.Action).toBe('s3:GetObject');
    expect(fn('ControlApiConversationRecordings').props.Environment.Variables).toMatchObject({
      RECORDINGS_BUCKET: { Ref: bucket },
      RECORDING_RETENTION_DAYS: '7',
    });
  });
});

describe('Lambdas', () => {
  it('run on the newest Node runtime, ARM64, ESM bundles with the Powertools environment', () => {
    const newest = Object.keys(lambda.Runtime)
      .map((k) => /^NODEJS_(\d+)_X$/.exec(k)?.[1])
      .filter((v): v is string => v !== undefined)
      .map(Number)
      .sort((a, b) => b - a)[0];
    expect(LAMBDA_RUNTIME.name).toBe(`nodejs${newest}.x`);
    for (const [prefix, service] of Object.entries(LAMBDA_ENTRIES)) {
      const { props } = fn(prefix as keyof typeof LAMBDA_ENTRIES);
      expect(props, prefix).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'], Handler: 'index.handler' });
      expect(props.Environment.Variables, prefix).toMatchObject({
        POWERTOOLS_SERVICE_NAME: service,
        POWERTOOLS_METRICS_NAMESPACE: 'AudiohookTranscribe',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        NODE_OPTIONS: '--enable-source-maps',
      });
      expect(props.LoggingConfig.LogGroup.Ref, prefix).toMatch(new RegExp(`^${prefix}Logs`));
    }
  });

  it('deploy the bundles `npm run build` wrote into dist/lambdas, unchanged (nothing is bundled at synth)', () => {
    const manifest = JSON.parse(readFileSync(path.join(s.outdir, 'AudiohookTranscribe.assets.json'), 'utf8'));
    const bundles = new Set<string>();
    for (const prefix of Object.keys(LAMBDA_ENTRIES)) {
      const code = fn(prefix as keyof typeof LAMBDA_ENTRIES).props.Code;
      const hash = String(code.S3Key).replace(/\.zip$/, '');
      const dir = path.join(s.outdir, manifest.files[hash].source.path);
      expect(readdirSync(dir).sort(), prefix).toEqual(['index.mjs', 'index.mjs.map']);
      const staged = readFileSync(path.join(dir, 'index.mjs'));
      const built = readdirSync(path.join(BUILD_DIR, 'lambdas')).find((name) =>
        readFileSync(path.join(BUILD_DIR, 'lambdas', name, 'index.mjs')).equals(staged),
      );
      expect(built, prefix).toBeDefined();
      bundles.add(built!);
    }
    expect(bundles.size).toBe(Object.keys(LAMBDA_ENTRIES).length);
  });

  it('have roles limited to their own log group (no AWS managed basic-execution policy)', () => {
    for (const prefix of Object.keys(LAMBDA_ENTRIES)) {
      const roleId = fn(prefix as keyof typeof LAMBDA_ENTRIES).props.Role['Fn::GetAtt'][0];
      const role = (t.findResources('AWS::IAM::Role') as Resources)[roleId].Properties!;
      const managed = JSON.stringify(role.ManagedPolicyArns ?? []);
      expect(managed, prefix).not.toContain('AWSLambdaBasicExecutionRole');
      const own = policyStatements(t).find(
        (p) => p.statement.Sid === 'OwnLogGroup' && JSON.stringify(p.statement.Resource).includes(`"${prefix}Logs`),
      );
      expect(own, prefix).toBeDefined();
      expect(asList(own!.statement.Action).sort(), prefix).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
      const policy = (t.findResources('AWS::IAM::Policy') as Resources)[own!.policy].Properties!;
      expect(policy.Roles, prefix).toEqual([{ Ref: roleId }]);
    }
  });
});

describe('IAM', () => {
  it('uses "*" as a resource only where AWS allows nothing else, and never wildcards actions', () => {
    const allowedOnStar = new Set([
      'transcribe:StartStreamTranscription',
      'transcribe:StartStreamTranscriptionWebSocket',
      'ecr:GetAuthorizationToken',
      'ecs:ListTasks',
      'transcribe:ListVocabularies',
    ]);
    for (const { policy, statement } of policyStatements(t)) {
      // CDK's own deploy-time provider that copies the console's files (BucketDeployment) is granted
      // read/write with CDK's action groups (s3:GetObject*, s3:List*…); it runs only during a deployment.
      if (policy.startsWith('CustomCDKBucketDeployment')) continue;
      // Likewise the image build's CodeBuild role (@cdklabs/deploy-time-build): read of its staged source
      // archive with CDK's action groups, ECR push and its own logs; it runs only during a deployment.
      if (policy.startsWith('ContainerImageBuild')) continue;
      for (const action of asList(statement.Action)) expect(action, policy).not.toMatch(/\*/);
      if (asList(statement.Resource).includes('*')) {
        for (const action of asList(statement.Action)) expect(allowedOnStar.has(action), `${policy}: ${action} on *`).toBe(true);
      }
    }
  });
});

describe('API edge', () => {
  it('puts a WAF web ACL with a per-IP rate-based rule on the stage, answered in the contract envelope', () => {
    const acl = resourceByPrefix(t, 'AWS::WAFv2::WebACL', 'ControlApiWebAcl');
    expect(acl.props).toMatchObject({ Scope: 'REGIONAL', DefaultAction: { Allow: {} } });
    expect(acl.props.Rules[0]).toMatchObject({
      Action: { Block: {} },
      Statement: { RateBasedStatement: { Limit: 2000, AggregateKeyType: 'IP' } },
    });
    t.hasResourceProperties('AWS::WAFv2::WebACLAssociation', { WebACLArn: { 'Fn::GetAtt': [acl.id, 'Arn'] } });
    t.hasResourceProperties('AWS::ApiGateway::GatewayResponse', { ResponseType: 'WAF_FILTERED', StatusCode: '403' });
  });

  it('checks the credential headers in a cached REQUEST authorizer before any route Lambda runs (401-01 envelope)', () => {
    const authorizer = resourceByPrefix(t, 'AWS::ApiGateway::Authorizer', 'ControlApiCredentialsAuthorizer');
    expect(authorizer.props).toMatchObject({
      Type: 'REQUEST',
      IdentitySource: 'method.request.header.asapp-api-id,method.request.header.asapp-api-secret',
      AuthorizerResultTtlInSeconds: 300,
    });
    expect(JSON.stringify(authorizer.props.AuthorizerUri)).toContain(fn('ControlApiAuthorizer').id);
    // Every public method uses it; the console's use the user pool.
    const methods = Object.values(t.findResources('AWS::ApiGateway::Method') as Resources).map((m) => m.Properties!);
    const custom = methods.filter((m) => m.AuthorizationType === 'CUSTOM');
    expect(custom).toHaveLength(publicApiRoutes().length);
    for (const m of custom) expect(m.AuthorizerId).toEqual({ Ref: authorizer.id });
    // The authorizer reads the credential pairs and nothing else.
    expect(fn('ControlApiAuthorizer').props.Environment.Variables).toHaveProperty('API_CREDENTIALS_SECRET_ARN');
    const unauthorized = Object.values(t.findResources('AWS::ApiGateway::GatewayResponse') as Resources).find(
      (r) => r.Properties!.ResponseType === 'UNAUTHORIZED',
    )!.Properties!;
    expect(unauthorized.StatusCode).toBe('401');
    expect(JSON.parse(unauthorized.ResponseTemplates['application/json'])).toEqual({
      error: { requestId: '$context.requestId', message: 'Unauthorized', code: '401-01' },
    });
  });

  it('throttles each credential in WAF (asapp-api-id per minute), answering 429 with the 429-01 envelope', () => {
    const acl = resourceByPrefix(t, 'AWS::WAFv2::WebACL', 'ControlApiWebAcl').props;
    const rule = acl.Rules.find((r: { Name: string }) => r.Name === 'rate-per-credential');
    expect(rule.Statement.RateBasedStatement).toEqual({
      Limit: 1200,
      EvaluationWindowSec: 60,
      AggregateKeyType: 'CUSTOM_KEYS',
      CustomKeys: [{ Header: { Name: 'asapp-api-id', TextTransformations: [{ Priority: 0, Type: 'NONE' }] } }],
    });
    expect(rule.Action.Block.CustomResponse).toMatchObject({ ResponseCode: 429 });
    const body = acl.CustomResponseBodies[rule.Action.Block.CustomResponse.CustomResponseBodyKey];
    expect(body.ContentType).toBe('APPLICATION_JSON');
    expect(JSON.parse(body.Content).error).toMatchObject({ code: '429-01', message: 'Too Many Requests' });
  });

  it("sets the account's API Gateway CloudWatch role by default (a documented choice: apiCloudWatchRole)", () => {
    t.resourceCountIs('AWS::ApiGateway::Account', 1);
  });
});

describe('observability', () => {
  it("alarms on the DLQ, every Lambda's errors, unhealthy gateway tasks and webhook delivery failures", () => {
    const alarms = Object.values(t.findResources('AWS::CloudWatch::Alarm') as Resources).map((a) => a.Properties!);
    const dlqId = resourceByPrefix(t, 'AWS::SQS::Queue', 'DeliveryDeadLetters').id;
    expect(alarms).toContainEqual(
      expect.objectContaining({
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Namespace: 'AWS/SQS',
        Threshold: 0,
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlqId, 'QueueName'] } }],
      }),
    );
    // Every function of ours (a Powertools service) is listed, so none can be added without its alarms.
    const services = Object.values(t.findResources('AWS::Lambda::Function') as Resources).filter(
      (f) => f.Properties?.Environment?.Variables?.POWERTOOLS_SERVICE_NAME,
    );
    expect(services).toHaveLength(Object.keys(LAMBDA_ENTRIES).length);
    const errorAlarms = alarms.filter((a) => a.MetricName === 'Errors' && a.Namespace === 'AWS/Lambda');
    expect(errorAlarms.map((a) => a.Dimensions[0].Value.Ref.replace(/[0-9A-F]{8}$/, '')).sort()).toEqual(
      Object.keys(LAMBDA_ENTRIES).sort(),
    );
    // Retiring tasks fail /health on purpose: no alarm on unhealthy targets, one on tasks missing.
    expect(alarms.filter((a) => a.MetricName === 'UnHealthyHostCount')).toEqual([]);
    const missing = alarms.find((a) => JSON.stringify(a.Metrics ?? []).includes('desired - running'))!;
    expect(JSON.stringify(missing.Metrics)).toContain('RunningTaskCount');
    expect(missing).toMatchObject({ Threshold: 0, EvaluationPeriods: 10 });
    expect(alarms).toContainEqual(
      expect.objectContaining({
        MetricName: 'WebhookDeliveryFailed',
        Namespace: 'AudiohookTranscribe',
        Dimensions: [{ Name: 'service', Value: 'webhook-delivery' }],
      }),
    );
    t.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });

  it('alarms on Lambda throttles, a missed daily export and TLS handshake failures; no queue-backlog alarm while delivery is off', () => {
    const alarms = Object.values(t.findResources('AWS::CloudWatch::Alarm') as Resources).map((a) => a.Properties!);
    expect(alarms.filter((a) => a.MetricName === 'Throttles' && a.Namespace === 'AWS/Lambda')).toHaveLength(
      Object.keys(LAMBDA_ENTRIES).length,
    );
    const exportRuns = alarms.find((a) => a.MetricName === 'Invocations')!;
    expect(exportRuns).toMatchObject({
      Period: 86_400,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
    expect(exportRuns.Dimensions[0].Value.Ref).toMatch(/^ExportDailyExport/);
    expect(alarms).toContainEqual(expect.objectContaining({ MetricName: 'ClientTLSNegotiationErrorCount', Namespace: 'AWS/NetworkELB' }));
    expect(alarms.filter((a) => a.MetricName === 'ApproximateAgeOfOldestMessage')).toEqual([]);
  });

  it("alarms on the gateway's own metrics (EMF from the tasks): Transcribe quota 5002, engine errors, queue and registry failures, latency", () => {
    const alarms = Object.values(t.findResources('AWS::CloudWatch::Alarm') as Resources).map((a) => a.Properties!);
    const onGateway = (name: string) =>
      alarms.filter(
        (a) =>
          a.Namespace === 'AudiohookTranscribe' &&
          a.MetricName === name &&
          a.Dimensions.some((d: any) => d.Name === 'service' && d.Value === GATEWAY_SERVICE_NAME),
      );
    const quota = onGateway(GATEWAY_METRIC.recognizerErrors).find((a) =>
      a.Dimensions.some((d: any) => d.Name === 'StatusCode' && d.Value === '5002'),
    );
    expect(quota).toMatchObject({ Statistic: 'Sum', Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
    for (const name of [GATEWAY_METRIC.queuePublishFailures, GATEWAY_METRIC.registrationFailures]) {
      expect(onGateway(name), name).toEqual([expect.objectContaining({ Statistic: 'Sum', Threshold: 0 })]);
    }
    expect(onGateway(GATEWAY_METRIC.openLatency)).toEqual([expect.objectContaining({ ExtendedStatistic: 'p90', Threshold: 2000 })]);
    expect(onGateway(GATEWAY_METRIC.pingRtt)).toEqual([expect.objectContaining({ ExtendedStatistic: 'p90', Threshold: 1000 })]);
    // The task writes those metrics: EMF on, under the service name the alarms use.
    const [c] = resourceByPrefix(t, 'AWS::ECS::TaskDefinition', 'GatewayTask').props.ContainerDefinitions;
    const env = Object.fromEntries(c.Environment.map((e: { Name: string; Value: unknown }) => [e.Name, e.Value]));
    expect(env).toMatchObject({
      GATEWAY_METRICS: 'emf',
      POWERTOOLS_SERVICE_NAME: GATEWAY_SERVICE_NAME,
      POWERTOOLS_METRICS_NAMESPACE: 'AudiohookTranscribe',
    });
  });

  it('alarms on every metric that counts lost speech or an undelivered utterance, on the dimensions their emitters write', () => {
    const alarms = Object.values(t.findResources('AWS::CloudWatch::Alarm') as Resources).map((a) => a.Properties!);
    const on = (service: string, name: string) =>
      alarms.filter(
        (a) =>
          a.Namespace === 'AudiohookTranscribe' &&
          a.MetricName === name &&
          JSON.stringify(a.Dimensions) === JSON.stringify([{ Name: 'service', Value: service }]),
      );
    const sumAbove = (threshold: number) =>
      expect.objectContaining({ Statistic: 'Sum', Threshold: threshold, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 1 });
    // Any loss of speech (a segment a full engine dropped, a failed stream), and a minute of it in 5 minutes.
    expect(on(GATEWAY_SERVICE_NAME, GATEWAY_METRIC.audioLost)).toEqual([sumAbove(0)]);
    expect(on(GATEWAY_SERVICE_NAME, GATEWAY_METRIC.audioLostMs)).toEqual([sumAbove(60_000)]);
    // Utterances never handed to the customer: not queued, dropped past the deadline, failed POSTs.
    expect(on(GATEWAY_SERVICE_NAME, GATEWAY_METRIC.queuePublishFailures)).toEqual([sumAbove(0)]);
    for (const name of [WEBHOOK_METRIC.dropped, WEBHOOK_METRIC.failed]) {
      expect(on('webhook-delivery', name), name).toEqual([sumAbove(0)]);
    }
    expect(alarms.filter((a) => a.MetricName === 'ApproximateNumberOfMessagesVisible' && a.Namespace === 'AWS/SQS')).toHaveLength(1);
  });

  it('offers the dead-letter operator (npm run dlq) a managed policy scoped to the DLQ and the webhook secret', () => {
    const policy = resourceByPrefix(t, 'AWS::IAM::ManagedPolicy', 'DeliveryDlqOperatorPolicy');
    const statements = policy.props.PolicyDocument.Statement as Array<{ Sid: string; Action: string[]; Resource: unknown }>;
    const dlq = resourceByPrefix(t, 'AWS::SQS::Queue', 'DeliveryDeadLetters').id;
    expect(statements.find((st) => st.Sid === 'DeadLetters')!.Resource).toEqual({ 'Fn::GetAtt': [dlq, 'Arn'] });
    expect(statements.find((st) => st.Sid === 'WebhookSecret')!.Resource).toEqual({
      Ref: resourceByPrefix(t, 'AWS::SecretsManager::Secret', 'SecretsWebhook').id,
    });
    t.hasOutput('DlqOperatorPolicyArn', { Value: { Ref: policy.id } });
  });

  it('keeps secrets, tables and buckets when the stack is deleted (removalPolicy retain)', () => {
    for (const type of ['AWS::SecretsManager::Secret', 'AWS::DynamoDB::Table', 'AWS::S3::Bucket']) {
      for (const [id, r] of Object.entries(t.findResources(type) as Resources)) expect(r.DeletionPolicy, id).toBe('Retain');
    }
  });

  it('outputs the AudioHook URI and the API URL', () => {
    t.hasOutput('AudioHookUri', {
      Value: {
        'Fn::Join': ['', ['wss://', { 'Fn::GetAtt': [Match.stringLikeRegexp('GatewayLoadBalancer'), 'DNSName'] }, '/audiohook/ws']],
      },
    });
    t.hasOutput('ApiUrl', { Value: { 'Fn::Join': ['', Match.arrayWith(['https://', '.execute-api.'])] } });
    expect(Object.keys(t.toJSON().Outputs).filter((k) => k.startsWith('ControlApiEndpoint'))).toEqual([]);
  });
});

describe('fargate-gateway/Dockerfile', () => {
  const dockerfile = readFileSync(path.join(import.meta.dirname, '../../fargate-gateway/Dockerfile'), 'utf8');
  // Without comments, with continuation lines joined.
  const code = dockerfile
    .split('\n')
    .filter((l) => !l.startsWith('#'))
    .join('\n')
    .replace(/\\\n/g, ' ');
  const instructions = code.split('\n').filter((l) => /^[A-Z]+\s/.test(l));

  it('is one stage on the Node base the bundles target (from ECR Public) and runs as the unprivileged node user', () => {
    const froms = instructions.filter((l) => l.startsWith('FROM '));
    expect(froms).toEqual(['FROM public.ecr.aws/docker/library/node:${NODE_VERSION}-bookworm-slim']);
    expect(`node${/ARG NODE_VERSION=(\d+)/.exec(code)?.[1]}`).toBe(NODE_TARGET);
    expect(instructions.filter((l) => l.startsWith('USER ')).at(-1)).toBe('USER node');
    expect(instructions.at(-1)).toMatch(/^CMD \["node"/);
  });

  it('only copies the built gateway (dist/image/gateway): nothing to install or compile, the same on any CPU', () => {
    expect(code).not.toMatch(/apt-get|apk |pocketsphinx|esbuild|node_modules|npm /i);
    expect(instructions.filter((l) => /^(RUN|ADD) /.test(l))).toEqual([]);
    expect(instructions.filter((l) => l.startsWith('COPY '))).toEqual(['COPY gateway/ ./']);
  });
});
