import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bareEnv, buildIsolated } from './build-output.ts';

/**
 * The public API's REQUEST authorizer as Lambda runs it: `dist/lambdas/api-authorizer/` from
 * `npm run build`, copied out of the repository and imported by plain `node`, called with API Gateway
 * REQUEST authorizer events. API Gateway turns the error message `Unauthorized` into its UNAUTHORIZED
 * response (the 401-01 envelope, test/infra) and any other failure into a 500.
 */
const METHOD_ARN = 'arn:aws:execute-api:eu-west-1:123456789012:abcdef1234/prod/POST/mg-autotranscribe/v1/start-streaming';
const PAIRS = [
  { id: 'client-a', secret: 'secret-a-0123456789', tenant: 'acme' },
  { id: 'client-b', secret: 'secret-b-0123456789' },
];

let built: ReturnType<typeof buildIsolated>;
beforeAll(() => {
  built = buildIsolated('lambdas', 'lambdas/api-authorizer');
}, 120_000);
afterAll(() => built?.cleanup());

type Outcome = { ok: unknown } | { error: string };

/** Imports the bundle in a fresh `node` with only `env` and calls its handler once per event. */
async function authorize(events: unknown[], env: Record<string, string>): Promise<Outcome[]> {
  const probe = `
    const { handler } = await import('./index.mjs');
    const out = [];
    for (const event of JSON.parse(process.env.EVENTS)) {
      try { out.push({ ok: await handler(event) }); } catch (e) { out.push({ error: e.message }); }
    }
    console.log(JSON.stringify(out));`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', probe], {
    cwd: built.dir,
    env: bareEnv({ AWS_REGION: 'eu-west-1', POWERTOOLS_LOG_LEVEL: 'SILENT', EVENTS: JSON.stringify(events), ...env }),
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as Outcome[];
}

const event = (headers: Record<string, string> | null) => ({
  type: 'REQUEST',
  methodArn: METHOD_ARN,
  headers,
  requestContext: { requestId: 'req-1' },
});

describe('api-authorizer bundle', () => {
  it('allows a known pair on every method of the stage (one cached answer serves all routes), with its tenant', async () => {
    const [a, b, mixedCase] = await authorize(
      [
        event({ 'asapp-api-id': 'client-a', 'asapp-api-secret': 'secret-a-0123456789' }),
        event({ 'asapp-api-id': 'client-b', 'asapp-api-secret': 'secret-b-0123456789' }),
        event({ 'ASAPP-API-ID': 'client-a', 'Asapp-Api-Secret': 'secret-a-0123456789' }),
      ],
      { API_CREDENTIALS: JSON.stringify(PAIRS), API_TENANT: 'default-tenant' },
    );
    expect(a).toEqual({
      ok: {
        principalId: 'client-a',
        policyDocument: {
          Version: '2012-10-17',
          Statement: [
            { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: 'arn:aws:execute-api:eu-west-1:123456789012:abcdef1234/prod/*' },
          ],
        },
        context: { apiId: 'client-a', tenant: 'acme' },
      },
    });
    expect(b).toMatchObject({ ok: { principalId: 'client-b', context: { apiId: 'client-b', tenant: 'default-tenant' } } });
    expect(mixedCase).toMatchObject({ ok: { principalId: 'client-a' } });
  });

  it('refuses a wrong secret, a secret of another id, a missing or empty header and an oversized value with Unauthorized', async () => {
    const outcomes = await authorize(
      [
        event({ 'asapp-api-id': 'client-a', 'asapp-api-secret': 'secret-a-012345678' }),
        event({ 'asapp-api-id': 'client-a', 'asapp-api-secret': 'secret-b-0123456789' }),
        event({ 'asapp-api-id': 'client-a' }),
        event({ 'asapp-api-id': '', 'asapp-api-secret': '' }),
        event(null),
        event({ 'asapp-api-id': 'client-a', 'asapp-api-secret': `secret-a-0123456789${'x'.repeat(10_000)}` }),
      ],
      { API_CREDENTIALS: JSON.stringify(PAIRS) },
    );
    expect(outcomes).toEqual(Array(6).fill({ error: 'Unauthorized' }));
  });

  it('fails with another error (API Gateway: 500) when its configuration is broken, never allowing', async () => {
    const [outcome] = await authorize([event({ 'asapp-api-id': 'client-a', 'asapp-api-secret': 'secret-a-0123456789' })], {
      API_CREDENTIALS: 'not json',
    });
    expect(outcome).toHaveProperty('error');
    expect((outcome as { error: string }).error).not.toBe('Unauthorized');
  });
});
