import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App, Aspects } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { AudiohookTranscribeStack } from '#lib/audiohook-transcribe-stack.ts';
import { loadDeploymentConfig, REPO_ROOT } from '#lib/config.ts';

export interface Synthesized {
  app: App;
  stack: AudiohookTranscribeStack;
  template: Template;
  outdir: string;
  cleanup(): void;
}

/** The feature flags of cdk.json, so tests synthesize exactly what `npx cdk synth` does. */
function cdkJsonContext(): Record<string, unknown> {
  return (JSON.parse(readFileSync(path.join(REPO_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;
}

/**
 * Builds and synthesizes the stack once (call it in `beforeAll`). `context` holds deployment values as
 * `-c key=value` would; `bundle: false` skips esbuild (for tests that only look at the template);
 * `nag: true` applies AwsSolutionsChecks as bin/app.ts does; `validate: false` skips CDK's built-in
 * CloudFormation schema validation (seconds per synthesis) where another file already validates the
 * same template; `env` gives the stack an account and region, as `cdk deploy` does.
 */
export function synthesize(
  options: {
    context?: Record<string, unknown>;
    bundle?: boolean;
    nag?: boolean;
    validate?: boolean;
    env?: { account: string; region: string };
  } = {},
): Synthesized {
  const outdir = mkdtempSync(path.join(tmpdir(), 'cdk-infra-test-'));
  const context = {
    ...cdkJsonContext(),
    ...options.context,
    // An empty list tells CDK to bundle no stack's assets.
    ...(options.bundle === false ? { 'aws:cdk:bundling-stacks': [] } : {}),
  };
  const app = new App({ outdir, context, builtinCloudFormationValidation: options.validate ?? true });
  const config = loadDeploymentConfig((key) => app.node.tryGetContext(key));
  const stack = new AudiohookTranscribeStack(app, 'AudiohookTranscribe', { config, env: options.env });
  if (options.nag) Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true, reports: false }));
  const template = Template.fromStack(stack);
  return { app, stack, template, outdir, cleanup: () => rmSync(outdir, { recursive: true, force: true }) };
}

export type Resources = Record<
  string,
  { Type: string; Properties?: Record<string, any>; DeletionPolicy?: string; Metadata?: Record<string, unknown> }
>;

/** The single resource of a type whose logical id starts with `prefix`. */
export function resourceByPrefix(template: Template, type: string, prefix: string): { id: string; props: Record<string, any> } {
  const found = Object.entries(template.findResources(type) as Resources).filter(([id]) => id.startsWith(prefix));
  if (found.length !== 1)
    throw new Error(`expected one ${type} starting with ${prefix}, found ${found.map(([id]) => id).join(', ') || 'none'}`);
  const [id, r] = found[0];
  return { id, props: r.Properties ?? {} };
}

/** Every IAM statement of every inline policy, with the policy's logical id. */
export function policyStatements(
  template: Template,
): Array<{ policy: string; statement: { Sid?: string; Effect: string; Action: string | string[]; Resource: unknown } }> {
  const out: Array<{ policy: string; statement: any }> = [];
  for (const [id, r] of Object.entries(template.findResources('AWS::IAM::Policy') as Resources)) {
    for (const statement of r.Properties!.PolicyDocument.Statement) out.push({ policy: id, statement });
  }
  return out;
}

export const asList = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);
