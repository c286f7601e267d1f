import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { RedactionMode } from '#core/contract/redaction-modes.ts';
import { FEED_RETENTION_DAYS } from '#core/contract/export-schedule.ts';
import { API_ROUTES, type ApiRoute } from '#core/contract/routes.ts';
import { ERROR_CODES, type ErrorCode } from '#core/contract/error-codes.ts';
import { CREDENTIAL_HEADERS } from '#core/api/request-authorizer.ts';
import { ServiceFunction } from './node-function.ts';
import { transcribeVocabularyArns } from './transcribe-vocabularies.ts';

type PublicApiLambda = Exclude<ApiRoute['lambda'], 'console'>;

/** The routes of the public API (ASAPP credentials): the table's routes that this construct deploys. */
export function publicApiRoutes(): Array<ApiRoute & { lambda: PublicApiLambda }> {
  return API_ROUTES.filter((r): r is ApiRoute & { lambda: PublicApiLambda } => r.auth === 'asapp' && r.lambda !== 'console');
}

export interface ControlApiProps {
  vpc: ec2.IVpc;
  /** Security group of the Lambdas that call the gateway's control port. */
  controlClients: ec2.ISecurityGroup;
  /** Port the gateway tasks expose for control (egress rule of `controlClients`). */
  gatewayTasks: ec2.ISecurityGroup;
  controlPort: number;
  conversations: dynamodb.ITable;
  messages: dynamodb.ITable;
  vocabulary: dynamodb.ITable;
  exportBucket: s3.IBucket;
  /** Absent: the deployment forbids recording and the recordings route lists nothing. */
  recordings?: s3.IBucket;
  apiCredentials: secretsmanager.ISecret;
  /** Signs the requests to the gateway's control endpoint (CONTROL_SECRET_ARN). */
  controlSecret: secretsmanager.ISecret;
  tenant: string;
  redactionMode: RedactionMode;
  messageRetentionDays: number;
  feedUrlExpirySeconds: number;
  recordingRetentionDays: number;
  stageName: string;
  throttleRateLimit: number;
  throttleBurstLimit: number;
  /** A WAF web ACL on the stage: per-IP and per-credential rate-based rules. */
  waf?: { rateLimit: number; credentialRateLimit: number };
  /** How long API Gateway caches the authorizer's answer for one credential pair (0: no cache). */
  authorizerCacheSeconds: number;
  /** Create and set the account's API Gateway CloudWatch Logs role (account-wide; see docs/deploy.md). */
  cloudWatchRole: boolean;
  domainName?: string;
  certificateArn?: string;
  logLevel: string;
  logRetentionDays: logs.RetentionDays;
}

/** API Gateway's own responses, re-shaped into the contract's error envelope (docs/api-contract.md §1.2–1.3). */
export const GATEWAY_RESPONSES: ReadonlyArray<{ type: apigateway.ResponseType; code: ErrorCode }> = [
  // Fallbacks. Setting their status also sets it for every response type not listed below.
  { type: apigateway.ResponseType.DEFAULT_4XX, code: '400-01' },
  { type: apigateway.ResponseType.DEFAULT_5XX, code: '500-01' },
  // Unknown route, or a method a route does not have: API Gateway's "Missing Authentication Token".
  { type: apigateway.ResponseType.MISSING_AUTHENTICATION_TOKEN, code: '404-01' },
  { type: apigateway.ResponseType.RESOURCE_NOT_FOUND, code: '404-01' },
  { type: apigateway.ResponseType.UNAUTHORIZED, code: '401-01' },
  { type: apigateway.ResponseType.ACCESS_DENIED, code: '403-01' },
  { type: apigateway.ResponseType.INVALID_API_KEY, code: '403-01' },
  { type: apigateway.ResponseType.EXPIRED_TOKEN, code: '403-01' },
  { type: apigateway.ResponseType.INVALID_SIGNATURE, code: '403-01' },
  { type: apigateway.ResponseType.WAF_FILTERED, code: '403-01' },
  { type: apigateway.ResponseType.REQUEST_TOO_LARGE, code: '413-01' },
  { type: apigateway.ResponseType.THROTTLED, code: '429-01' },
  { type: apigateway.ResponseType.QUOTA_EXCEEDED, code: '429-01' },
  { type: apigateway.ResponseType.INTEGRATION_TIMEOUT, code: '503-01' },
  { type: apigateway.ResponseType.INTEGRATION_FAILURE, code: '503-01' },
];

function errorEnvelopeTemplate(code: ErrorCode): string {
  return `{"error":{"requestId":"$context.requestId","message":"${ERROR_CODES[code].message}","code":"${code}"}}`;
}

/** Per-credential throttling (a WAF block, which never reaches API Gateway's gateway responses): 429-01. */
const THROTTLED_BODY = 'too-many-requests';

/**
 * The public HTTPS API (REST, regional): start/stop, after-call messages and the File Exporter, each a
 * Lambda proxy integration. A cached REQUEST authorizer checks the asapp-api-id / asapp-api-secret pair
 * before any route Lambda runs (401-01 otherwise; the handlers check it again, as the local runtime
 * does); the handlers enforce the 64 KiB body limit; API Gateway adds stage throttling, access logs and
 * execution error logs; WAF rate limits per source IP and per credential. REST API resources match a
 * path with or without a trailing slash, as the contract requires.
 *
 * The start/stop Lambdas run in the VPC: they call the gateway task that holds a call on its private
 * control port.
 */
export class ControlApi extends Construct {
  readonly api: apigateway.RestApi;
  readonly accessLogGroup: logs.LogGroup;
  readonly startFunction: ServiceFunction;
  readonly stopFunction: ServiceFunction;
  readonly messagesFunction: ServiceFunction;
  readonly recordingsFunction: ServiceFunction;
  readonly fileExporterFunction: ServiceFunction;
  readonly vocabularyFunction: ServiceFunction;
  readonly authorizerFunction: ServiceFunction;
  readonly domain?: apigateway.DomainName;
  readonly webAcl?: wafv2.CfnWebACL;
  private readonly customDomainName?: string;

  constructor(scope: Construct, id: string, props: ControlApiProps) {
    super(scope, id);
    props.controlClients.connections.allowTo(props.gatewayTasks, ec2.Port.tcp(props.controlPort), 'control port of the gateway tasks');

    const common = {
      logLevel: props.logLevel,
      logRetentionDays: props.logRetentionDays,
      environment: {
        CONVERSATIONS_TABLE: props.conversations.tableName,
        MESSAGES_TABLE: props.messages.tableName,
        VOCABULARY_TABLE: props.vocabulary.tableName,
        MESSAGE_RETENTION_DAYS: String(props.messageRetentionDays),
        API_CREDENTIALS_SECRET_ARN: props.apiCredentials.secretArn,
        API_TENANT: props.tenant,
        REDACTION_MODE: props.redactionMode,
        CONTROL_SECRET_ARN: props.controlSecret.secretArn,
      },
    };
    const inVpc = {
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [props.controlClients],
      allowPublicSubnet: false,
    };

    this.startFunction = new ServiceFunction(this, 'StartStreaming', {
      ...common,
      ...inVpc,
      bundle: 'start-streaming',
      description: 'POST /mg-autotranscribe/v1/start-streaming',
      serviceName: 'start-streaming',
      timeout: Duration.seconds(15),
    });
    this.stopFunction = new ServiceFunction(this, 'StopStreaming', {
      ...common,
      ...inVpc,
      bundle: 'stop-streaming',
      description: 'POST /mg-autotranscribe/v1/stop-streaming',
      serviceName: 'stop-streaming',
      // The gateway waits up to 5 s for final results; the control call is bounded at 8 s.
      timeout: Duration.seconds(20),
    });
    this.messagesFunction = new ServiceFunction(this, 'ConversationMessages', {
      ...common,
      bundle: 'conversation-messages',
      description: 'GET /conversation/v1/conversation/messages',
      serviceName: 'conversation-messages',
      timeout: Duration.seconds(15),
    });
    this.recordingsFunction = new ServiceFunction(this, 'ConversationRecordings', {
      ...common,
      environment: {
        ...common.environment,
        ...(props.recordings ? { RECORDINGS_BUCKET: props.recordings.bucketName } : {}),
        RECORDING_RETENTION_DAYS: String(props.recordingRetentionDays),
      },
      bundle: 'conversation-recordings',
      description: 'GET /conversation/v1/conversation/recordings',
      serviceName: 'conversation-recordings',
      timeout: Duration.seconds(15),
    });
    if (props.recordings) {
      this.recordingsFunction.addToRolePolicy(
        new iam.PolicyStatement({
          sid: 'ListRecordings',
          actions: ['s3:ListBucket'],
          resources: [props.recordings.bucketArn],
          conditions: { StringLike: { 's3:prefix': ['recordings/*'] } },
        }),
      );
      // HeadObject (metadata) and the presigned GET URLs are both authorized by GetObject.
      this.recordingsFunction.addToRolePolicy(
        new iam.PolicyStatement({
          sid: 'ReadRecordings',
          actions: ['s3:GetObject'],
          resources: [props.recordings.arnForObjects('recordings/*')],
        }),
      );
    }
    this.fileExporterFunction = new ServiceFunction(this, 'FileExporter', {
      ...common,
      environment: {
        ...common.environment,
        EXPORT_BUCKET: props.exportBucket.bucketName,
        FEED_URL_EXPIRY_SECONDS: String(props.feedUrlExpirySeconds),
        FEED_RETENTION_DAYS: String(FEED_RETENTION_DAYS),
      },
      bundle: 'file-exporter',
      description: 'POST /fileexporter/v1/static/{operation}',
      serviceName: 'file-exporter',
      timeout: Duration.seconds(15),
    });

    this.vocabularyFunction = new ServiceFunction(this, 'CustomVocabularies', {
      ...common,
      // Each change also builds the tenant's Amazon Transcribe custom vocabularies (the gateway's engine).
      environment: { ...common.environment, TRANSCRIBE_VOCABULARIES: 'true' },
      bundle: 'custom-vocabularies',
      description: 'GET|POST /configuration/v1/auto-transcribe/custom-vocabularies[/{id}], DELETE …/{id}',
      serviceName: 'custom-vocabularies',
      timeout: Duration.seconds(15),
    });
    this.vocabularyFunction.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'CustomVocabularies',
        actions: ['dynamodb:Query', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'],
        resources: [props.vocabulary.tableArn],
      }),
    );
    this.vocabularyFunction.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'TranscribeVocabularies',
        actions: ['transcribe:CreateVocabulary', 'transcribe:GetVocabulary', 'transcribe:DeleteVocabulary'],
        resources: [transcribeVocabularyArns(this)],
      }),
    );
    this.vocabularyFunction.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'ListTranscribeVocabularies',
        // ListVocabularies has no resource type: IAM only accepts "*" (the code lists by this service's name prefix).
        actions: ['transcribe:ListVocabularies'],
        resources: ['*'],
      }),
    );

    this.authorizerFunction = new ServiceFunction(this, 'Authorizer', {
      logLevel: props.logLevel,
      logRetentionDays: props.logRetentionDays,
      environment: { API_CREDENTIALS_SECRET_ARN: props.apiCredentials.secretArn, API_TENANT: props.tenant },
      bundle: 'api-authorizer',
      description: 'REQUEST authorizer of the public API: the asapp-api-id / asapp-api-secret pair',
      serviceName: 'api-authorizer',
      memorySize: 256,
      timeout: Duration.seconds(10),
    });
    props.apiCredentials.grantRead(this.authorizerFunction);

    for (const fn of [
      this.startFunction,
      this.stopFunction,
      this.messagesFunction,
      this.recordingsFunction,
      this.fileExporterFunction,
      this.vocabularyFunction,
    ]) {
      props.apiCredentials.grantRead(fn);
      props.controlSecret.grantRead(fn);
    }
    for (const fn of [this.startFunction, this.stopFunction]) {
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          sid: 'ConversationsControlState',
          actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
          resources: [props.conversations.tableArn],
        }),
      );
    }
    this.messagesFunction.addToRolePolicy(
      new iam.PolicyStatement({ sid: 'ReadMessages', actions: ['dynamodb:Query'], resources: [props.messages.tableArn] }),
    );
    this.fileExporterFunction.addToRolePolicy(
      new iam.PolicyStatement({ sid: 'ListFeed', actions: ['s3:ListBucket'], resources: [props.exportBucket.bucketArn] }),
    );
    // Presigned GET URLs are signed with the function's credentials, so it needs GetObject itself.
    this.fileExporterFunction.addToRolePolicy(
      new iam.PolicyStatement({ sid: 'PresignFeedFiles', actions: ['s3:GetObject'], resources: [props.exportBucket.arnForObjects('*')] }),
    );

    // --- API -----------------------------------------------------------------------------------------
    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.logRetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.api = new apigateway.RestApi(this, 'Api', {
      description: 'AudioHook Transcribe public API (ASAPP AI Transcribe compatible)',
      endpointTypes: [apigateway.EndpointType.REGIONAL],
      // Execution logs (errors only) need the account-level CloudWatch role. Creating it also sets it in
      // the account's API Gateway settings, shared by every API of the account and region: a choice
      // (apiCloudWatchRole), kept if the stack is deleted. With false, the account must already have one.
      cloudWatchRole: props.cloudWatchRole,
      ...(props.cloudWatchRole ? { cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN } : {}),
      // With a custom domain, clients use it only: the default execute-api host is switched off.
      disableExecuteApiEndpoint: props.domainName !== undefined,
      deployOptions: {
        stageName: props.stageName,
        throttlingRateLimit: props.throttleRateLimit,
        throttlingBurstLimit: props.throttleBurstLimit,
        loggingLevel: apigateway.MethodLoggingLevel.ERROR,
        // Bodies carry transcripts and headers carry credentials: never logged.
        dataTraceEnabled: false,
        metricsEnabled: true,
        accessLogDestination: new apigateway.LogGroupLogDestination(this.accessLogGroup),
        accessLogFormat: apigateway.AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            extendedRequestId: '$context.extendedRequestId',
            ip: '$context.identity.sourceIp',
            userAgent: '$context.identity.userAgent',
            requestTime: '$context.requestTime',
            httpMethod: '$context.httpMethod',
            resourcePath: '$context.resourcePath',
            path: '$context.path',
            status: '$context.status',
            protocol: '$context.protocol',
            responseLength: '$context.responseLength',
            responseLatency: '$context.responseLatency',
            integrationLatency: '$context.integration.latency',
            integrationStatus: '$context.integration.status',
            errorType: '$context.error.responseType',
            errorMessage: '$context.error.message',
          }),
        ),
      },
    });

    // The stack publishes its own ApiUrl output (custom domain when configured).
    this.api.node.tryRemoveChild('Endpoint');

    for (const r of GATEWAY_RESPONSES) {
      this.api.addGatewayResponse(`Response${r.type.responseType}`, {
        type: r.type,
        statusCode: String(ERROR_CODES[r.code].status),
        responseHeaders: { 'Content-Type': "'application/json'" },
        templates: { 'application/json': errorEnvelopeTemplate(r.code) },
      });
    }

    // Every route of the table the local runtime serves (core/contract/routes.ts), so a route added there is
    // deployed here. Console routes (auth: 'console') need the console's user-pool authorizer, which
    // this construct does not create; they are not part of the public API.
    const functions: Record<PublicApiLambda, ServiceFunction> = {
      'start-streaming': this.startFunction,
      'stop-streaming': this.stopFunction,
      'conversation-messages': this.messagesFunction,
      'conversation-recordings': this.recordingsFunction,
      'file-exporter': this.fileExporterFunction,
      'custom-vocabularies': this.vocabularyFunction,
    };
    // Both headers are identity sources: a request missing one is refused (401-01) without invoking
    // the authorizer, and the cache key is the pair, so a wrong secret never rides on a cached answer.
    const authorizer = new apigateway.RequestAuthorizer(this, 'CredentialsAuthorizer', {
      authorizerName: 'asapp-credentials',
      handler: this.authorizerFunction,
      identitySources: [
        apigateway.IdentitySource.header(CREDENTIAL_HEADERS.id),
        apigateway.IdentitySource.header(CREDENTIAL_HEADERS.secret),
      ],
      resultsCacheTtl: Duration.seconds(props.authorizerCacheSeconds),
    });
    for (const route of publicApiRoutes()) {
      const integration = new apigateway.LambdaIntegration(functions[route.lambda], { proxy: true, allowTestInvoke: false });
      this.api.root.resourceForPath(route.resource).addMethod(route.method, integration, {
        authorizer,
        authorizationType: apigateway.AuthorizationType.CUSTOM,
      });
    }

    if (props.domainName && props.certificateArn) {
      this.customDomainName = props.domainName;
      this.domain = this.api.addDomainName('Domain', {
        domainName: props.domainName,
        certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', props.certificateArn),
        endpointType: apigateway.EndpointType.REGIONAL,
        securityPolicy: apigateway.SecurityPolicy.TLS_1_2,
      });
    }
    if (props.waf) this.webAcl = this.attachWebAcl(props.waf);
  }

  /**
   * A regional WAF web ACL on the stage:
   * - per source IP: more than `rateLimit` requests in 5 minutes blocks that IP (a flood of bad
   *   credentials never reaches the authorizer); the contract's 403-01 envelope (WAF_FILTERED);
   * - per credential: more than `credentialRateLimit` requests in 1 minute with one `asapp-api-id`
   *   blocks that id, answered 429 with the contract's 429-01 envelope (a static WAF response: its
   *   requestId is the fixed string `waf-rate-limited`, since the request never reaches API Gateway);
   * - AWS's managed rule group for known bad inputs (403-01).
   */
  private attachWebAcl({ rateLimit, credentialRateLimit }: { rateLimit: number; credentialRateLimit: number }): wafv2.CfnWebACL {
    const visibility = (metricName: string) => ({ cloudWatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName });
    const acl = new wafv2.CfnWebACL(this, 'WebAcl', {
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility('api-web-acl'),
      customResponseBodies: {
        [THROTTLED_BODY]: {
          contentType: 'APPLICATION_JSON',
          content: JSON.stringify({ error: { requestId: 'waf-rate-limited', message: ERROR_CODES['429-01'].message, code: '429-01' } }),
        },
      },
      rules: [
        {
          name: 'rate-per-ip',
          priority: 0,
          action: { block: {} },
          statement: { rateBasedStatement: { limit: rateLimit, aggregateKeyType: 'IP', evaluationWindowSec: 300 } },
          visibilityConfig: visibility('api-rate-per-ip'),
        },
        {
          name: 'rate-per-credential',
          priority: 1,
          action: {
            block: {
              customResponse: {
                responseCode: ERROR_CODES['429-01'].status,
                customResponseBodyKey: THROTTLED_BODY,
                responseHeaders: [{ name: 'Retry-After', value: '60' }],
              },
            },
          },
          statement: {
            rateBasedStatement: {
              limit: credentialRateLimit,
              evaluationWindowSec: 60,
              aggregateKeyType: 'CUSTOM_KEYS',
              customKeys: [{ header: { name: CREDENTIAL_HEADERS.id, textTransformations: [{ priority: 0, type: 'NONE' }] } }],
            },
          },
          visibilityConfig: visibility('api-rate-per-credential'),
        },
        {
          name: 'known-bad-inputs',
          priority: 2,
          overrideAction: { none: {} },
          statement: { managedRuleGroupStatement: { vendorName: 'AWS', name: 'AWSManagedRulesKnownBadInputsRuleSet' } },
          visibilityConfig: visibility('api-known-bad-inputs'),
        },
      ],
    });
    new wafv2.CfnWebACLAssociation(this, 'WebAclAssociation', { resourceArn: this.api.deploymentStage.stageArn, webAclArn: acl.attrArn });
    return acl;
  }

  /** Base URL clients use (custom domain when configured, else the stage URL). */
  get baseUrl(): string {
    return this.customDomainName ? `https://${this.customDomainName}` : this.api.url.replace(/\/$/, '');
  }
}
