import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { synthesize, type Resources, type Synthesized } from './synth.ts';

/**
 * cdk-nag AwsSolutionsChecks over the default deployment, as bin/app.ts applies them: no unsuppressed
 * error or warning, and every suppression is scoped to a resource and carries a written reason.
 * Synthesized once, without bundling (nag reads the template only). Annotations.fromStack re-runs
 * synthesis (without re-bundling) once, in beforeAll.
 */
let s: Synthesized;
let annotations: Annotations;

beforeAll(() => {
  // stack.test.ts validates this same template against the CloudFormation schema.
  s = synthesize({ nag: true, bundle: false, validate: false });
  annotations = Annotations.fromStack(s.stack);
}, 120_000);
afterAll(() => s?.cleanup());

const AWS_SOLUTIONS = Match.stringLikeRegexp('AwsSolutions-.*');
const describeFindings = (list: ReadonlyArray<{ id: string; entry: { data?: unknown } }>) =>
  list.map((f) => `${f.id}: ${String(f.entry.data).split(':')[0]}`);

describe('cdk-nag AwsSolutionsChecks', () => {
  it('reports no unsuppressed error', () => {
    expect(describeFindings(annotations.findError('*', AWS_SOLUTIONS))).toEqual([]);
  });

  it('reports no unsuppressed warning', () => {
    expect(describeFindings(annotations.findWarning('*', AWS_SOLUTIONS))).toEqual([]);
  });

  it('gives every suppression a resource, an AwsSolutions rule id and a written reason', () => {
    const suppressions: Array<{ resource: string; id: string; reason: string }> = [];
    for (const [resource, r] of Object.entries(s.template.toJSON().Resources as Resources)) {
      const rules =
        (r.Metadata?.cdk_nag as { rules_to_suppress?: Array<{ id: string; reason: string }> } | undefined)?.rules_to_suppress ?? [];
      for (const rule of rules) suppressions.push({ resource, ...rule });
    }
    expect(suppressions.length).toBeGreaterThan(0);
    for (const sup of suppressions) {
      expect(sup.id, sup.resource).toMatch(/^AwsSolutions-[A-Z]+\d+$/);
      expect(sup.reason.length, `${sup.resource} ${sup.id}`).toBeGreaterThanOrEqual(60);
    }
    // Nothing is waived for the whole stack.
    expect(s.stack.templateOptions.metadata?.cdk_nag).toBeUndefined();
    expect(s.template.toJSON().Metadata?.cdk_nag).toBeUndefined();
  });

  it('suppresses only the findings this design accepts', () => {
    const ids = new Set<string>();
    for (const r of Object.values(s.template.toJSON().Resources as Resources)) {
      for (const rule of (r.Metadata?.cdk_nag as { rules_to_suppress?: Array<{ id: string }> } | undefined)?.rules_to_suppress ?? [])
        ids.add(rule.id);
    }
    expect([...ids].sort()).toEqual(
      [
        'AwsSolutions-APIG2',
        // The deploy-time image build (lib/gateway-image.ts): CodeBuild without a customer KMS key.
        'AwsSolutions-CB4',
        'AwsSolutions-COG4',
        'AwsSolutions-EC23',
        'AwsSolutions-ECS2',
        'AwsSolutions-IAM4',
        'AwsSolutions-IAM5',
        'AwsSolutions-SMG4',
        // The console (lib/console-site.ts): CloudFront without geo restriction, WAF, standard logs or a custom certificate; Cognito without the Plus plan; CDK's BucketDeployment provider runtime.
        'AwsSolutions-CFR1',
        'AwsSolutions-CFR2',
        'AwsSolutions-CFR3',
        'AwsSolutions-CFR4',
        'AwsSolutions-COG3',
        'AwsSolutions-COG8',
        'AwsSolutions-L1',
      ].sort(),
    );
  });
});
