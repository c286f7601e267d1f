import { Duration, Fn, Stack, type RemovalPolicy } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import type { ConsoleAuthMode } from '#core/contract/console-auth.ts';
import { NagSuppressions } from 'cdk-nag';
import { LIVE_INDEX } from '#core/stores/tables.ts';
import { API_ROUTES, CONSOLE_API_PREFIX, CONSOLE_PATH } from '#core/contract/routes.ts';
import { artifactDir } from './artifacts.ts';
import type { RedactionMode } from '#core/contract/redaction-modes.ts';
import { FEED_RETENTION_DAYS } from '#core/contract/export-schedule.ts';
import { ServiceFunction } from './node-function.ts';
import { privateBucketProps } from './private-bucket.ts';

export interface ConsoleSiteProps {
  /** The public API: the console's routes are added to it, behind a Cognito authorizer. */
  api: apigateway.RestApi;
  vpc: ec2.IVpc;
  /** Security group allowed to reach the gateway tasks' control port (start/stop). */
  controlClients: ec2.ISecurityGroup;
  conversations: dynamodb.ITable;
  messages: dynamodb.ITable;
  exportBucket: s3.IBucket;
  apiCredentials: { secretArn: string };
  /** The webhook Lambda: it records each delivery outcome on the message for the console. */
  webhookFunction: lambda.Function;
  tenant: string;
  redactionMode: RedactionMode;
  messageRetentionDays: number;
  feedUrlExpirySeconds: number;
  /** Server access logs of the assets bucket go here (prefix `console/`). */
  accessLogs: s3.IBucket;
  removalPolicy: RemovalPolicy;
  logLevel: string;
  logRetentionDays: logs.RetentionDays;
}

/**
 * The live console in AWS (docs/console.md): the built page (dist/console) in a private bucket behind
 * CloudFront with origin access control; `/console/v1/*` on the same distribution goes to the public
 * API, so the page talks to its own origin (no CORS). People sign in with this stack's Cognito user
 * pool (no self sign-up: the operator adds users; MFA required) through the hosted sign-in page; the
 * API's Cognito authorizer verifies their ID token on every console route, and the console Lambda
 * requires its claims. The page never holds the ASAPP API secret.
 */
export class ConsoleSite extends Construct {
  readonly bucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  readonly userPool: cognito.UserPool;
  readonly userPoolClient: cognito.UserPoolClient;
  readonly signInDomain: cognito.UserPoolDomain;
  readonly consoleFunction: ServiceFunction;
  readonly deployment: s3deploy.BucketDeployment;

  constructor(scope: Construct, id: string, props: ConsoleSiteProps) {
    super(scope, id);
    const stack = Stack.of(this);

    // --- sign-in -----------------------------------------------------------------------------------
    this.userPool = new cognito.UserPool(this, 'Users', {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 12,
        requireDigits: true,
        requireLowercase: true,
        requireUppercase: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      removalPolicy: props.removalPolicy,
    });
    // The stack id's random part keeps the hosted sign-in domain unique per account and region.
    const suffix = Fn.select(0, Fn.split('-', Fn.select(2, Fn.split('/', stack.stackId))));
    this.signInDomain = this.userPool.addDomain('SignIn', { cognitoDomain: { domainPrefix: Fn.join('-', ['audiohook-console', suffix]) } });

    // --- static site ---------------------------------------------------------------------------------
    this.bucket = new s3.Bucket(this, 'Assets', {
      ...privateBucketProps(props.removalPolicy),
      serverAccessLogsBucket: props.accessLogs,
      serverAccessLogsPrefix: 'console/',
    });
    const spaRouting = new cloudfront.Function(this, 'PageRouting', {
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      comment: 'console: / to /console/, page paths to index.html',
      code: cloudfront.FunctionCode.fromInline(`function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri === '/' || uri === '${CONSOLE_PATH}') {
    return { statusCode: 302, statusDescription: 'Found', headers: { location: { value: '${CONSOLE_PATH}/' } } };
  }
  // A page path (no file extension) is the single page's own route.
  if (uri.startsWith('${CONSOLE_PATH}/') && uri.slice(uri.lastIndexOf('/')).indexOf('.') === -1) request.uri = '${CONSOLE_PATH}/index.html';
  return request;
}`),
    });
    const signInOrigin = `https://${this.signInDomain.domainName}.auth.${stack.region}.amazoncognito.com`;
    const headers = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'console: strict CSP (own origin and the sign-in domain only), HSTS, no framing',
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          contentSecurityPolicy: `default-src 'self'; connect-src 'self' ${signInOrigin}; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self' ${signInOrigin}`,
          override: true,
        },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: true, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
    });
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'AudioHook Transcribe live console',
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: headers,
        functionAssociations: [{ function: spaRouting, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }],
      },
      additionalBehaviors: {
        [`${CONSOLE_API_PREFIX}/*`]: {
          origin: new origins.RestApiOrigin(props.api),
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
          cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
          originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
          responseHeadersPolicy: headers,
        },
      },
    });
    const consoleUrl = `https://${this.distribution.distributionDomainName}${CONSOLE_PATH}/`;

    this.userPoolClient = this.userPool.addClient('Console', {
      generateSecret: false,
      authFlows: {},
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL],
        callbackUrls: [consoleUrl],
        logoutUrls: [consoleUrl],
      },
      preventUserExistenceErrors: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
    });

    this.deployment = new s3deploy.BucketDeployment(this, 'Deploy', {
      sources: [
        s3deploy.Source.asset(artifactDir('console')),
        // Read by the page at start: where to sign in. Nothing secret (a public client id, no secret).
        s3deploy.Source.jsonData('config.json', { cognito: { domain: signInOrigin, clientId: this.userPoolClient.userPoolClientId } }),
      ],
      destinationBucket: this.bucket,
      destinationKeyPrefix: `${CONSOLE_PATH.slice(1)}/`,
      distribution: this.distribution,
      distributionPaths: [`${CONSOLE_PATH}/index.html`, `${CONSOLE_PATH}/config.json`],
      memoryLimit: 256,
    });

    // --- console API ---------------------------------------------------------------------------------
    this.consoleFunction = new ServiceFunction(this, 'ConsoleApi', {
      bundle: 'console',
      description: `${CONSOLE_API_PREFIX}/* (live console)`,
      serviceName: 'console',
      logLevel: props.logLevel,
      logRetentionDays: props.logRetentionDays,
      // start/stop reach the gateway task holding a call on its private control port.
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [props.controlClients],
      allowPublicSubnet: false,
      timeout: Duration.seconds(20),
      environment: {
        CONSOLE_AUTH: 'cognito' satisfies ConsoleAuthMode,
        CONVERSATIONS_TABLE: props.conversations.tableName,
        MESSAGES_TABLE: props.messages.tableName,
        MESSAGE_RETENTION_DAYS: String(props.messageRetentionDays),
        // Only a credential source the configuration requires: console requests never check ASAPP pairs (no read grant).
        API_CREDENTIALS_SECRET_ARN: props.apiCredentials.secretArn,
        API_TENANT: props.tenant,
        REDACTION_MODE: props.redactionMode,
        EXPORT_BUCKET: props.exportBucket.bucketName,
        FEED_URL_EXPIRY_SECONDS: String(props.feedUrlExpirySeconds),
        FEED_RETENTION_DAYS: String(FEED_RETENTION_DAYS),
      },
    });
    const fn = this.consoleFunction;
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'ConversationsControlState',
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        resources: [props.conversations.tableArn],
      }),
    );
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'ListLiveCalls',
        actions: ['dynamodb:Query'],
        resources: [`${props.conversations.tableArn}/index/${LIVE_INDEX}`],
      }),
    );
    fn.addToRolePolicy(new iam.PolicyStatement({ sid: 'ReadMessages', actions: ['dynamodb:Query'], resources: [props.messages.tableArn] }));
    fn.addToRolePolicy(new iam.PolicyStatement({ sid: 'ListFeed', actions: ['s3:ListBucket'], resources: [props.exportBucket.bucketArn] }));
    fn.addToRolePolicy(
      new iam.PolicyStatement({ sid: 'PresignFeedFiles', actions: ['s3:GetObject'], resources: [props.exportBucket.arnForObjects('*')] }),
    );

    // The webhook Lambda records each utterance's outcome beside its message, 25 to a request, kept as
    // long as the messages (core/webhook/delivery-log.ts).
    props.webhookFunction.addEnvironment('MESSAGES_TABLE', props.messages.tableName);
    props.webhookFunction.addEnvironment('MESSAGE_RETENTION_DAYS', String(props.messageRetentionDays));
    props.webhookFunction.addToRolePolicy(
      new iam.PolicyStatement({ sid: 'RecordDeliveryOutcome', actions: ['dynamodb:BatchWriteItem'], resources: [props.messages.tableArn] }),
    );

    const authorizer = new apigateway.CognitoUserPoolsAuthorizer(this, 'Authorizer', {
      cognitoUserPools: [this.userPool],
      authorizerName: 'console-users',
      resultsCacheTtl: Duration.minutes(5),
    });
    const integration = new apigateway.LambdaIntegration(fn, { proxy: true, allowTestInvoke: false });
    for (const route of API_ROUTES.filter((r) => r.lambda === 'console')) {
      props.api.root.resourceForPath(route.resource).addMethod(route.method, integration, {
        authorizer,
        authorizationType: apigateway.AuthorizationType.COGNITO,
      });
    }
  }

  /** The cdk-nag findings this construct accepts, each on its resource with the reason. */
  applyNagSuppressions(): void {
    const plusTier =
      'Threat protection (advanced security) needs the Cognito Plus feature plan, billed per user; the pool has no self sign-up (the operator adds each user), MFA is required and passwords are strong. An operator can move the pool to Plus.';
    NagSuppressions.addResourceSuppressions(this.userPool, [
      { id: 'AwsSolutions-COG3', reason: plusTier },
      { id: 'AwsSolutions-COG8', reason: plusTier },
    ]);
    NagSuppressions.addResourceSuppressions(this.distribution, [
      {
        id: 'AwsSolutions-CFR1',
        reason:
          'Operators of the contact centre may sign in from anywhere; the page itself is public static code and every API read requires a Cognito user.',
      },
      {
        id: 'AwsSolutions-CFR2',
        reason:
          'No WAF web ACL by default (a CloudFront ACL costs per rule and request): the static page is cached public code, and every console API request needs a valid Cognito token checked by API Gateway. An operator who needs WAF associates one.',
      },
      {
        id: 'AwsSolutions-CFR3',
        reason:
          "CloudFront standard logs need an ACL-enabled bucket, which the stack avoids (BucketOwnerEnforced); the API requests behind /console/v1 are logged by API Gateway's access logs and the assets bucket has S3 server access logs.",
      },
      {
        id: 'AwsSolutions-CFR4',
        reason:
          "The distribution uses its default *.cloudfront.net certificate, with which CloudFront negotiates TLS 1.2+ for modern clients but does not allow a minimum protocol version to be set; a custom domain with an ACM certificate (TLSv1.2_2021) is the operator's choice.",
      },
    ]);
    NagSuppressions.addResourceSuppressions(
      this.consoleFunction.role!,
      [
        {
          id: 'AwsSolutions-IAM4',
          appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole'],
          reason:
            "The function runs in the VPC to reach the gateway's private control port (console start/stop); Lambda needs this AWS managed policy's network-interface actions, which have no resource-level scoping.",
        },
        {
          id: 'AwsSolutions-IAM5',
          appliesTo: [{ regex: '/^Resource::<ExportBucket[A-Za-z0-9]+\\.Arn>\\/\\*$/g' }],
          reason:
            'Presigned links to feed files, keyed by date, hour and part number unknown in advance; limited to objects of the exports bucket.',
        },
      ],
      true,
    );
    // The BucketDeployment's provider function (one per stack, created by CDK) copies the built page into the bucket at deploy time.
    for (const provider of Stack.of(this).node.children.filter((c) => c.node.id.startsWith('Custom::CDKBucketDeployment'))) {
      NagSuppressions.addResourceSuppressions(
        provider,
        [
          {
            id: 'AwsSolutions-IAM4',
            reason:
              "CDK's BucketDeployment provider uses the AWS managed basic execution policy for its own logs; it runs only during deployment.",
          },
          {
            id: 'AwsSolutions-IAM5',
            reason:
              "CDK's BucketDeployment provider copies the page's files: read of the CDK asset object and write/delete under the console bucket, whose object keys (hashed file names) are unknown in advance.",
          },
          {
            id: 'AwsSolutions-L1',
            reason: "The runtime of CDK's BucketDeployment provider is chosen by aws-cdk-lib; it runs only during deployment.",
          },
        ],
        true,
      );
    }
  }

  /** The console's address. */
  get url(): string {
    return `https://${this.distribution.distributionDomainName}${CONSOLE_PATH}/`;
  }
}
