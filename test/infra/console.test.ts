import type { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIVE_INDEX } from '#core/stores/tables.ts';
import { API_ROUTES } from '#core/contract/routes.ts';
import { policyStatements, resourceByPrefix, synthesize, type Resources, type Synthesized } from './synth.ts';

/**
 * The live console in the default deployment (lib/console-site.ts): private assets behind CloudFront
 * with origin access control, the console API on the same distribution, Cognito sign-in that only the
 * operator can grant, and an authorizer on every console route.
 */
let s: Synthesized;
let t: Template;

beforeAll(() => {
  // stack.test.ts validates the same template against the CloudFormation schema.
  s = synthesize({ bundle: false, validate: false });
  t = s.template;
}, 120_000);
afterAll(() => s?.cleanup());

describe('console site', () => {
  it('keeps the page in a private, TLS-only bucket that only the distribution reads (origin access control)', () => {
    const bucket = resourceByPrefix(t, 'AWS::S3::Bucket', 'ConsoleAssets');
    expect(bucket.props.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    const oac = resourceByPrefix(t, 'AWS::CloudFront::OriginAccessControl', 'ConsoleDistribution');
    expect(oac.props.OriginAccessControlConfig).toMatchObject({
      OriginAccessControlOriginType: 's3',
      SigningBehavior: 'always',
      SigningProtocol: 'sigv4',
    });
    const policy = Object.values(t.findResources('AWS::S3::BucketPolicy') as Resources).find(
      (p) => p.Properties!.Bucket.Ref === bucket.id,
    )!;
    const statements = policy.Properties!.PolicyDocument.Statement as Array<Record<string, any>>;
    expect(statements).toContainEqual(expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
    const read = statements.find((st) => st.Principal?.Service === 'cloudfront.amazonaws.com')!;
    expect(read).toMatchObject({ Effect: 'Allow', Action: 's3:GetObject' });
    expect(JSON.stringify(read.Condition)).toContain('AWS:SourceArn');
  });

  it('serves /console/v1/* from the API through the same distribution, uncached, HTTPS only', () => {
    const { props } = resourceByPrefix(t, 'AWS::CloudFront::Distribution', 'ConsoleDistribution');
    const config = props.DistributionConfig;
    expect(config.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');
    const api = config.CacheBehaviors.find((b: { PathPattern: string }) => b.PathPattern === '/console/v1/*');
    expect(api).toMatchObject({ ViewerProtocolPolicy: 'https-only', CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad' });
    expect(api.AllowedMethods).toContain('POST');
    const origin = config.Origins.find((o: { Id: string }) => o.Id === api.TargetOriginId);
    expect(origin.CustomOriginConfig.OriginProtocolPolicy).toBe('https-only');
    expect(
      config.Origins.find((o: { Id: string }) => o.Id === config.DefaultCacheBehavior.TargetOriginId).OriginAccessControlId,
    ).toBeDefined();
    const headers = resourceByPrefix(t, 'AWS::CloudFront::ResponseHeadersPolicy', 'ConsoleSecurityHeaders').props
      .ResponseHeadersPolicyConfig;
    expect(JSON.stringify(headers.SecurityHeadersConfig.ContentSecurityPolicy)).toContain("default-src 'self'");
  });

  it('signs people in with a user pool only the operator adds users to, MFA required', () => {
    const pool = resourceByPrefix(t, 'AWS::Cognito::UserPool', 'ConsoleUsers').props;
    expect(pool.AdminCreateUserConfig.AllowAdminCreateUserOnly).toBe(true);
    expect(pool.MfaConfiguration).toBe('ON');
    expect(pool.Policies.PasswordPolicy).toMatchObject({ MinimumLength: 12, RequireSymbols: true });
    const client = resourceByPrefix(t, 'AWS::Cognito::UserPoolClient', 'ConsoleUsersConsole').props;
    expect(client).toMatchObject({ GenerateSecret: false, AllowedOAuthFlows: ['code'], AllowedOAuthFlowsUserPoolClient: true });
    expect(JSON.stringify(client.CallbackURLs)).toContain('/console/');
    resourceByPrefix(t, 'AWS::Cognito::UserPoolDomain', 'ConsoleUsersSignIn');
  });

  it('authorizes every console route with the user pool, and only those', () => {
    const authorizer = resourceByPrefix(t, 'AWS::ApiGateway::Authorizer', 'ConsoleAuthorizer');
    expect(authorizer.props).toMatchObject({ Type: 'COGNITO_USER_POOLS' });
    const methods = Object.values(t.findResources('AWS::ApiGateway::Method') as Resources).map((m) => m.Properties!);
    const cognito = methods.filter((m) => m.AuthorizationType === 'COGNITO_USER_POOLS');
    expect(cognito.every((m) => m.AuthorizerId.Ref === authorizer.id)).toBe(true);
    expect(cognito).toHaveLength(API_ROUTES.filter((r) => r.auth === 'console').length);
    // The ASAPP routes have their own (credential header) authorizer.
    expect(methods.filter((m) => m.AuthorizationType === 'CUSTOM' && m.HttpMethod !== 'OPTIONS')).toHaveLength(
      API_ROUTES.filter((r) => r.auth === 'asapp').length,
    );
    expect(methods.filter((m) => m.AuthorizationType === 'NONE' && m.HttpMethod !== 'OPTIONS')).toEqual([]);
  });

  it('runs the console API with Cognito auth and the reads it needs; the webhook Lambda records delivery outcomes', () => {
    const fn = Object.entries(t.findResources('AWS::Lambda::Function') as Resources).find(
      ([id]) => id.startsWith('ConsoleConsoleApi') && !id.includes('Logs'),
    )![1];
    expect(fn.Properties!.Environment.Variables).toMatchObject({ CONSOLE_AUTH: 'cognito', POWERTOOLS_SERVICE_NAME: 'console' });
    expect(fn.Properties!.VpcConfig).toBeDefined();
    const statements = policyStatements(t);
    const sids = (prefix: string) => statements.filter((p) => p.policy.startsWith(prefix)).map((p) => p.statement.Sid);
    expect(sids('ConsoleConsoleApiRole')).toEqual(
      expect.arrayContaining(['ConversationsControlState', 'ListLiveCalls', 'ReadMessages', 'ListFeed', 'PresignFeedFiles']),
    );
    const live = statements.find((p) => p.statement.Sid === 'ListLiveCalls')!.statement;
    expect(JSON.stringify(live.Resource)).toContain(`/index/${LIVE_INDEX}`);
    const webhook = Object.entries(t.findResources('AWS::Lambda::Function') as Resources).find(
      ([id]) => id.startsWith('DeliveryWebhookFunction') && !id.includes('Logs'),
    )![1];
    expect(Object.keys(webhook.Properties!.Environment.Variables)).toContain('MESSAGES_TABLE');
    expect(statements.find((p) => p.statement.Sid === 'RecordDeliveryOutcome')!.statement.Action).toBe('dynamodb:BatchWriteItem');
  });

  it('publishes the console URL and the user pool to add users to', () => {
    const outputs = t.toJSON().Outputs as Record<string, unknown>;
    expect(Object.keys(outputs)).toEqual(expect.arrayContaining(['ConsoleUrl', 'ConsoleUserPoolId']));
  });
});
