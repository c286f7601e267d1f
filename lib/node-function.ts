import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { artifactDir } from './artifacts.ts';

/** Runtime of every Lambda: the newest Node.js that aws-cdk-lib offers. */
export const LAMBDA_RUNTIME = lambda.Runtime.NODEJS_24_X;
export const METRICS_NAMESPACE = 'AudiohookTranscribe';

export interface ServiceFunctionProps extends Omit<
  lambda.FunctionProps,
  'code' | 'handler' | 'runtime' | 'architecture' | 'logGroup' | 'role'
> {
  /** Name of the handler's folder, `lambdas/<bundle>/handler.ts`, built into `dist/lambdas/<bundle>/index.mjs`. */
  bundle: string;
  /** POWERTOOLS_SERVICE_NAME: the logger's `service` and the metrics' `service` dimension. */
  serviceName: string;
  logLevel: string;
  logRetentionDays: logs.RetentionDays;
}

/**
 * A handler from `lambdas/`, deployed as `npm run build` bundled it (`dist/lambdas/<name>/`: one ES
 * module with its dependencies, the AWS SDK included, so the code runs with the versions pinned in
 * package-lock.json that the tests ran against), ARM64, with the Powertools environment and its own
 * log group with a retention. Its role may write to that log group only (instead of the AWS managed
 * basic execution policy, which allows every log group); a function in a VPC also gets the AWS managed
 * VPC access policy, which holds the network-interface actions Lambda needs there.
 */
export class ServiceFunction extends lambda.Function {
  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    const { bundle, serviceName, logLevel, logRetentionDays, environment, ...rest } = props;
    const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
      retention: logRetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const role = new iam.Role(scope, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${serviceName}`,
      managedPolicies: rest.vpc ? [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaVPCAccessExecutionRole')] : [],
    });
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'OwnLogGroup',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );
    super(scope, id, {
      memorySize: 512,
      timeout: Duration.seconds(15),
      ...rest,
      code: lambda.Code.fromAsset(artifactDir('lambdas', bundle)),
      handler: 'index.handler',
      runtime: LAMBDA_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      logGroup,
      role,
      environment: {
        POWERTOOLS_SERVICE_NAME: serviceName,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        POWERTOOLS_LOG_LEVEL: logLevel,
        // Stack traces point into the TypeScript sources (the bundles ship their source maps).
        NODE_OPTIONS: '--enable-source-maps',
        ...environment,
      },
    });
  }
}
