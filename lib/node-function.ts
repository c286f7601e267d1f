import { createRequire } from 'node:module';
import path from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { REPO_ROOT } from './config.ts';

/** Runtime of every Lambda: the newest Node.js that aws-cdk-lib offers. */
export const LAMBDA_RUNTIME = lambda.Runtime.NODEJS_24_X;
export const METRICS_NAMESPACE = 'AudiohookTranscribe';

export interface ServiceFunctionProps extends Omit<NodejsFunctionProps, 'entry' | 'runtime' | 'architecture' | 'bundling' | 'logGroup' | 'role'> {
  /** Handler file relative to the repository root, e.g. `lambdas/start-streaming/handler.ts` (exports `handler`). */
  entry: string;
  /** POWERTOOLS_SERVICE_NAME: the logger's `service` and the metrics' `service` dimension. */
  serviceName: string;
  logLevel: string;
  logRetentionDays: logs.RetentionDays;
}

/**
 * A handler from `lambdas/`, bundled locally by esbuild (a devDependency, so NodejsFunction never
 * falls back to Docker) into one ES module, ARM64, with the Powertools environment and its own log
 * group with a retention. Its role may write to that log group only (instead of the AWS managed
 * basic execution policy, which allows every log group); a function in a VPC also gets the AWS managed
 * VPC access policy, which holds the network-interface actions Lambda needs there.
 *
 * The AWS SDK is bundled rather than taken from the runtime: the code runs with the versions pinned in
 * package-lock.json, the ones the tests ran against.
 */
export class ServiceFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    assertLocalEsbuild();
    const { entry, serviceName, logLevel, logRetentionDays, environment, ...rest } = props;
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
      new iam.PolicyStatement({ sid: 'OwnLogGroup', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }),
    );
    super(scope, id, {
      memorySize: 512,
      timeout: Duration.seconds(15),
      ...rest,
      entry: path.join(REPO_ROOT, entry),
      handler: 'handler',
      runtime: LAMBDA_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
      projectRoot: REPO_ROOT,
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
      bundling: {
        format: OutputFormat.ESM,
        target: 'node24',
        platform: 'node',
        // Prefer the ES module build of dependencies that ship both.
        mainFields: ['module', 'main'],
        // CommonJS dependencies inside an ES module bundle still call require().
        banner: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
        externalModules: [],
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        forceDockerBundling: false,
      },
    });
  }
}

let esbuildChecked = false;

/**
 * NodejsFunction silently falls back to bundling in Docker when it cannot find esbuild. That would
 * need a Docker engine at synth time, so a missing esbuild is an error here instead.
 */
function assertLocalEsbuild(): void {
  if (esbuildChecked) return;
  try {
    createRequire(path.join(REPO_ROOT, 'package.json')).resolve('esbuild');
  } catch {
    throw new Error('esbuild is not installed (it is a devDependency): run `npm ci`. Lambda bundling never falls back to Docker.');
  }
  esbuildChecked = true;
}
