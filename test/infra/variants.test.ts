import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CERTIFICATE_PARAMETER } from '#lib/audiohook-transcribe-stack.ts';
import { resourceByPrefix, synthesize, type Resources, type Synthesized } from './synth.ts';

/**
 * A fully configured deployment (every optional context value set, as strings the way `-c key=value`
 * passes them), synthesized once without bundling, with cdk-nag applied.
 */
const CERT = 'arn:aws:acm:eu-west-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';
const API_CERT = 'arn:aws:acm:eu-west-1:123456789012:certificate/66666666-7777-8888-9999-000000000000';
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:ops-alarms';

let s: Synthesized;
let r: Record<string, Record<string, any>>;

beforeAll(() => {
  s = synthesize({
    bundle: false,
    nag: true,
    context: {
      tenant: 'acme',
      certificateArn: CERT,
      gatewayDomainName: 'audiohook.example.com',
      hostedZoneId: 'Z0123456789ABCDEFGHIJ',
      hostedZoneName: 'example.com',
      apiDomainName: 'api.example.com',
      apiCertificateArn: API_CERT,
      audiohookAllowedCidrs: '203.0.113.0/24, 198.51.100.0/24',
      webhookUrl: 'https://hooks.example.com/transcripts',
      webhookAuthMode: 'secret-token',
      webhookSecretTokenName: 'X-Api-Token',
      webhookMaxAttempts: '3',
      webhookMaxConcurrentBatches: '20',
      webhookReservedConcurrency: '20',
      interfaceEndpoints: 'true',
      apiWaf: 'false',
      apiCloudWatchRole: 'false',
      gatewayArchitecture: 'x86_64',
      gatewayImageBuild: 'local-docker',
      gatewayMinTasks: '3',
      natGateways: '1',
      removalPolicy: 'destroy',
      alarmTopicArn: TOPIC,
      callRecording: 'false',
    },
  });
  r = s.template.toJSON().Resources;
}, 120_000);
afterAll(() => s?.cleanup());

const ofType = (type: string) => Object.entries(r as Resources).filter(([, v]) => v.Type === type);

describe('configured deployment', () => {
  it('builds the x86-64 gateway image with local Docker when asked (gatewayImageBuild=local-docker): a Docker asset, no CodeBuild', () => {
    const manifest = JSON.parse(readFileSync(path.join(s.outdir, 'AudiohookTranscribe.assets.json'), 'utf8'));
    const images = Object.values(manifest.dockerImages as Record<string, { source: { directory: string; platform: string } }>);
    expect(images).toHaveLength(1);
    expect(images[0].source.platform).toBe('linux/amd64');
    expect(readdirSync(path.join(s.outdir, images[0].source.directory)).sort()).toEqual(['Dockerfile', 'gateway']);
    expect(ofType('AWS::CodeBuild::Project')).toEqual([]);
    expect(ofType('Custom::CDKContainerImageBuild')).toEqual([]);
  });

  it('forbids call recording when callRecording is false: no bucket, and the gateway told so', () => {
    expect(ofType('AWS::S3::Bucket').filter(([id]) => id.startsWith('Recordings'))).toEqual([]);
    const [, task] = ofType('AWS::ECS::TaskDefinition')[0];
    const environment = task.Properties!.ContainerDefinitions[0].Environment as Array<{ Name: string }>;
    expect(environment).toContainEqual({ Name: 'CALL_RECORDING', Value: 'forbidden' });
    expect(environment.map((e) => e.Name)).not.toContain('RECORDINGS_BUCKET');
  });

  it('uses the certificate from context (no template parameter) and publishes the custom AudioHook host', () => {
    expect(s.template.toJSON().Parameters?.[CERTIFICATE_PARAMETER]).toBeUndefined();
    s.template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Protocol: 'TLS',
      Port: 443,
      Certificates: [{ CertificateArn: CERT }],
    });
    s.template.hasOutput('AudioHookUri', { Value: 'wss://audiohook.example.com/audiohook/ws' });
    s.template.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'audiohook.example.com.',
      Type: 'A',
      HostedZoneId: 'Z0123456789ABCDEFGHIJ',
      AliasTarget: Match.objectLike({ DNSName: Match.anyValue() }),
    });
  });

  it('serves the API on the custom domain with TLS 1.2, mapped at the root', () => {
    s.template.hasResourceProperties('AWS::ApiGateway::DomainName', {
      DomainName: 'api.example.com',
      RegionalCertificateArn: API_CERT,
      EndpointConfiguration: { Types: ['REGIONAL'] },
      SecurityPolicy: 'TLS_1_2',
    });
    s.template.resourceCountIs('AWS::ApiGateway::BasePathMapping', 1);
    s.template.hasOutput('ApiUrl', { Value: 'https://api.example.com' });
    s.template.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'api.example.com.', Type: 'A' });
  });

  it('admits AudioHook only from the configured ranges, so no open-ingress finding needs suppressing', () => {
    const lbSg = resourceByPrefix(s.template, 'AWS::EC2::SecurityGroup', 'GatewayLoadBalancerSecurityGroup');
    expect(lbSg.props.SecurityGroupIngress.map((i: { CidrIp: string; FromPort: number }) => [i.CidrIp, i.FromPort])).toEqual([
      ['203.0.113.0/24', 443],
      ['198.51.100.0/24', 443],
    ]);
    expect(JSON.stringify(r[lbSg.id].Metadata ?? {})).not.toContain('AwsSolutions-EC23');
    const annotations = Annotations.fromStack(s.stack);
    expect(annotations.findError('*', Match.stringLikeRegexp('AwsSolutions-.*'))).toEqual([]);
    expect(annotations.findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*'))).toEqual([]);
  });

  it('turns delivery on with the webhook settings, retries through SQS redrive and the configured concurrency', () => {
    const [[webhookId, webhook]] = ofType('AWS::Lambda::Function').filter(
      ([id]) => id.startsWith('DeliveryWebhookFunction') && !id.includes('Logs'),
    );
    expect(webhook.Properties!.ReservedConcurrentExecutions).toBe(20);
    expect(webhook.Properties!.Environment.Variables).toMatchObject({
      WEBHOOK_URL: 'https://hooks.example.com/transcripts',
      WEBHOOK_AUTH_MODE: 'secret-token',
      WEBHOOK_SECRET_TOKEN_NAME: 'X-Api-Token',
      WEBHOOK_MAX_ATTEMPTS: '3',
    });
    expect(webhook.Properties!.Environment.Variables.WEBHOOK_OAUTH2_TOKEN_URL).toBeUndefined();
    s.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: webhookId },
      Enabled: true,
      ScalingConfig: { MaximumConcurrency: 20 },
    });
    expect(resourceByPrefix(s.template, 'AWS::SQS::Queue', 'DeliveryUtterances').props.RedrivePolicy.maxReceiveCount).toBe(3);
  });

  it('builds an x86_64 gateway image and task, with the configured minimum and one NAT gateway', () => {
    const task = resourceByPrefix(s.template, 'AWS::ECS::TaskDefinition', 'GatewayTask').props;
    expect(task.RuntimePlatform.CpuArchitecture).toBe('X86_64');
    const manifest = JSON.parse(readFileSync(path.join(s.outdir, 'AudiohookTranscribe.assets.json'), 'utf8'));
    expect((Object.values(manifest.dockerImages)[0] as { source: { platform: string } }).source.platform).toBe('linux/amd64');
    s.template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 3 });
    s.template.resourceCountIs('AWS::EC2::NatGateway', 1);
  });

  it('deletes data with the stack when removalPolicy is destroy', () => {
    for (const [, table] of ofType('AWS::DynamoDB::Table')) expect(table.DeletionPolicy).toBe('Delete');
    for (const [, bucket] of ofType('AWS::S3::Bucket')) expect(bucket.DeletionPolicy).toBe('Delete');
  });

  it('notifies the alarm topic and stamps the tenant on the gateway and the generated API pair', () => {
    for (const [id, alarm] of ofType('AWS::CloudWatch::Alarm')) expect(alarm.Properties!.AlarmActions, id).toEqual([TOPIC]);
    const [container] = resourceByPrefix(s.template, 'AWS::ECS::TaskDefinition', 'GatewayTask').props.ContainerDefinitions;
    expect(container.Environment).toContainEqual({ Name: 'TENANT', Value: 'acme' });
    expect(
      JSON.stringify(
        resourceByPrefix(s.template, 'AWS::SecretsManager::Secret', 'SecretsApiCredentials').props.GenerateSecretString
          .SecretStringTemplate,
      ),
    ).toContain('\\"tenant\\":\\"acme\\"');
  });

  it('applies the edge, network and retention choices: endpoints on, WAF and account role off, execute-api host off, data deleted with the stack', () => {
    expect(ofType('AWS::EC2::VPCEndpoint').filter(([, v]) => v.Properties!.VpcEndpointType === 'Interface')).toHaveLength(7);
    expect(ofType('AWS::WAFv2::WebACL')).toEqual([]);
    expect(ofType('AWS::ApiGateway::Account')).toEqual([]);
    s.template.hasResourceProperties('AWS::ApiGateway::RestApi', { DisableExecuteApiEndpoint: true });
    for (const [id, secret] of ofType('AWS::SecretsManager::Secret')) expect(secret.DeletionPolicy, id).toBe('Delete');
    // Delivery is on: the backlog alarm exists.
    expect(ofType('AWS::CloudWatch::Alarm').filter(([, a]) => a.Properties!.MetricName === 'ApproximateAgeOfOldestMessage')).toHaveLength(
      1,
    );
  });
});
