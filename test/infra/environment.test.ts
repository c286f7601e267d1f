import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { synthesize, type Synthesized } from './synth.ts';

/**
 * The stack as `cdk deploy` synthesizes it: with an account and region. With the Availability Zone
 * look-up answered from context (what a deployer's cdk.context.json holds) and without it (a first
 * `cdk synth` with no credentials): either way no context is missing and cdk-nag reports nothing
 * unsuppressed. The environment-agnostic synthesis is nag.test.ts.
 */
const ENV = { account: '123456789012', region: 'us-east-1' };
const AZ_LOOKUP = { [`availability-zones:account=${ENV.account}:region=${ENV.region}`]: ['us-east-1a', 'us-east-1b', 'us-east-1c'] };
const AWS_SOLUTIONS = Match.stringLikeRegexp('AwsSolutions-.*');
const describeFindings = (list: ReadonlyArray<{ id: string; entry: { data?: unknown } }>) =>
  list.map((f) => `${f.id}: ${String(f.entry.data).split(':')[0]}`);

describe.each([
  ['with the AZ look-up answered from context', AZ_LOOKUP],
  ['with no context at all', {}],
])('synthesized for account 123456789012 in us-east-1, %s', (_name, context) => {
  let s: Synthesized;
  let annotations: Annotations;
  beforeAll(() => {
    s = synthesize({ env: ENV, context, nag: true, bundle: false, validate: false });
    annotations = Annotations.fromStack(s.stack);
  }, 120_000);
  afterAll(() => s?.cleanup());

  it('needs no look-up: nothing missing from context, so synth works without credentials', () => {
    expect(s.app.synth().manifest.missing ?? []).toEqual([]);
  });

  it('reports no unsuppressed cdk-nag error or warning', () => {
    expect(describeFindings(annotations.findError('*', AWS_SOLUTIONS))).toEqual([]);
    expect(describeFindings(annotations.findWarning('*', AWS_SOLUTIONS))).toEqual([]);
  });

  it('places the VPC in the Availability Zones the context names, or two chosen at deploy time', () => {
    const subnets = Object.values(s.template.findResources('AWS::EC2::Subnet')).map(
      (r) => (r as { Properties: { AvailabilityZone: unknown } }).Properties.AvailabilityZone,
    );
    expect(subnets).toHaveLength(4);
    if (Object.keys(context).length > 0) expect(new Set(subnets)).toEqual(new Set(['us-east-1a', 'us-east-1b']));
    else for (const az of subnets) expect(JSON.stringify(az)).toContain('Fn::GetAZs');
  });
});
