#!/usr/bin/env -S npx tsx
import { App, Aspects } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { AudiohookTranscribeStack } from '#lib/audiohook-transcribe-stack.ts';
import { loadDeploymentConfig } from '#lib/config.ts';
import { runBuild } from '#scripts/build.ts';

/**
 * CDK app: one stack, configured from context (docs/deploy.md). The stack is environment-agnostic
 * unless an account and region are known (context `account`/`region`, or CDK_DEFAULT_ACCOUNT/REGION
 * from the CLI's credentials). Either way it needs no look-up (see the stack's availabilityZones), so
 * `npx cdk synth` works with no AWS credentials.
 */
// The stack deploys what `npm run build` writes into dist/; build it now so it is never stale.
await runBuild({ log: (line) => console.error(`build: ${line}`) });

const app = new App();
const config = loadDeploymentConfig((key) => app.node.tryGetContext(key));
const stackName = (app.node.tryGetContext('stackName') as string | undefined) ?? 'AudiohookTranscribe';

// Account and region: `-c account=… -c region=…`, else the CLI's credentials (CDK_DEFAULT_*), else none.
const account = (app.node.tryGetContext('account') as string | undefined) ?? process.env.CDK_DEFAULT_ACCOUNT;
const region = (app.node.tryGetContext('region') as string | undefined) ?? process.env.CDK_DEFAULT_REGION;

new AudiohookTranscribeStack(app, stackName, {
  description: 'Real-time call transcription for Genesys Cloud AudioHook (gateway, API, delivery, export)',
  config,
  env: account && region ? { account, region } : undefined,
});

Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
