import { randomUUID } from 'node:crypto';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCredentialsProvider } from '#core/api/credentials.ts';
import { loadApiConfig } from '#core/config/api.ts';
import { rotate } from '#core/credentials/credential-set.ts';
import { AUDIOHOOK_SECRET_FIELDS } from '#core/contract/audiohook-secret.ts';
import { AUDIOHOOK_PATH } from '#core/contract/gateway-endpoints.ts';
import { secretsManagerCredentialStore } from '#core/credentials/credential-store.ts';
import { startGateway, type RunningGateway } from '#gateway/gateway.ts';
import { AudioHookClient } from '#local/simulator/client.ts';
import { runCli } from '#test/support/cli.ts';
import { startSecretsManagerEmulator, type SecretsManagerEmulator } from '#test/support/secrets-manager-emulator.ts';

/**
 * `npm run credentials` against a deployed stack's secrets: the real Secrets Manager client, signed
 * requests over the JSON protocol, to an emulator with AWS's version stages. The secrets start in the
 * shapes the stack generates; the gateway is started with the AudioHook secret's fields as ECS injects
 * them, and the API verifies through its own Secrets Manager credentials provider, so rotation is shown
 * end to end: old and new pairs both work until the old one is revoked, then only the new one.
 */

let sm: SecretsManagerEmulator;
let client: SecretsManagerClient;
let apiArn: string;
let audiohookArn: string;
const GENERATED_API = { id: `api-${randomUUID()}`, tenant: 'acme', secret: 'Gq3bT9vXw2LkPz8RmN4sHc7YdJ5fA1eU6oQiKtBnWrZgVxMy' };
// The stack generates 44 letters and digits (no punctuation): base64 text as far as the gateway is concerned.
const GENERATED_HOOK = { apiKey: `ah-${randomUUID()}`, clientSecret: 'T0dxM2JUOXZYdzJMa1B6OFJtTjRzSGM3WWRKNWZBMWU' };
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  sm = await startSecretsManagerEmulator();
  env = {
    ...process.env,
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_ENDPOINT_URL_SECRETS_MANAGER: sm.url,
  };
  for (const k of ['AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_ENDPOINT_URL', 'API_CREDENTIALS_SECRET_ARN', 'AUDIOHOOK_SECRET_ARN'])
    delete env[k];
  client = new SecretsManagerClient({
    region: 'eu-west-1',
    endpoint: sm.url,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  apiArn = (await client.send(new CreateSecretCommand({ Name: 'stack/api-credentials', SecretString: JSON.stringify(GENERATED_API) })))
    .ARN!;
  audiohookArn = (await client.send(new CreateSecretCommand({ Name: 'stack/audiohook', SecretString: JSON.stringify(GENERATED_HOOK) })))
    .ARN!;
});

afterAll(async () => {
  client?.destroy();
  await sm?.close();
});

const cred = (args: string[]) => runCli('credentials-cli.ts', args, env);
const secretOf = async (arn: string) =>
  JSON.parse((await client.send(new GetSecretValueCommand({ SecretId: arn }))).SecretString!) as unknown;
const stagesOf = async (arn: string) =>
  Object.values((await client.send(new DescribeSecretCommand({ SecretId: arn }))).VersionIdsToStages ?? {}).map((s) => s.join(','));

/** A gateway started as ECS starts the task: each variable from its JSON field of the AudioHook secret. */
async function gatewayFromSecret(): Promise<RunningGateway> {
  const secret = (await secretOf(audiohookArn)) as Record<string, string>;
  const injected = Object.fromEntries(Object.entries(AUDIOHOOK_SECRET_FIELDS).map(([variable, field]) => [variable, secret[field]]));
  // ECS fails the task when a named JSON key is missing: every field must be there, even when empty.
  for (const value of Object.values(injected)) expect(typeof value).toBe('string');
  return startGateway({
    env: {
      GATEWAY_PORT: '0',
      GATEWAY_HOST: '127.0.0.1',
      CONTROL_PORT: '0',
      CONTROL_HOST: '127.0.0.1',
      RECOGNIZER: 'none',
      AUTH_FAILURE_FLOOR_MS: '0',
      ...injected,
    },
  });
}

async function opens(gateway: RunningGateway, apiKey: string, clientSecret: string): Promise<boolean> {
  const audioHook = new AudioHookClient({ url: `ws://127.0.0.1:${gateway.address.port}${AUDIOHOOK_PATH}`, apiKey, clientSecret });
  try {
    await audioHook.connect();
    const opened = await audioHook.open();
    await audioHook.close();
    return opened.type === 'opened';
  } catch {
    return false;
  } finally {
    await audioHook.drop().catch(() => undefined);
  }
}

/** The API's own verifier, reading the secret on every call (cache 0) as the Lambdas do every 300 s. */
function apiVerifier() {
  const config = loadApiConfig({ API_CREDENTIALS_SECRET_ARN: apiArn, API_CREDENTIALS_CACHE_SECONDS: '0' });
  return createCredentialsProvider(config.credentials, { secretsManager: () => client });
}

describe('npm run credentials (a deployed stack: Secrets Manager)', () => {
  it('rotates the AudioHook pair with overlap: the gateway accepts the old and the new pair until the old one is revoked', async () => {
    const list = await cred(['list', '--audiohook-secret-id', audiohookArn, '--json']);
    expect(list.code, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout)).toMatchObject({ kind: 'audiohook', id: GENERATED_HOOK.apiKey, status: 'active' });
    expect(list.stdout).not.toContain(GENERATED_HOOK.clientSecret);

    const rotated = await cred(['rotate', 'audiohook', GENERATED_HOOK.apiKey, '--audiohook-secret-id', audiohookArn, '--json']);
    expect(rotated.code, rotated.stderr).toBe(0);
    const fresh = JSON.parse(rotated.stdout) as { 'API Key': string; 'Client Secret': string };
    expect(fresh['Client Secret']).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    // The secret the gateway task reads: the new pair first, the old one still valid beside it.
    expect(await secretOf(audiohookArn)).toMatchObject({
      apiKey: fresh['API Key'],
      clientSecret: fresh['Client Secret'],
      apiKeys: `${GENERATED_HOOK.apiKey}:${GENERATED_HOOK.clientSecret}`,
    });
    // A new version, the generated one kept as AWSPREVIOUS (what a console user rolls back to).
    expect((await stagesOf(audiohookArn)).sort()).toEqual(['AWSCURRENT', 'AWSPREVIOUS']);
    // The API secret is not touched by an AudioHook command.
    expect(await stagesOf(apiArn)).toEqual(['AWSCURRENT']);

    let gateway = await gatewayFromSecret();
    try {
      expect(await opens(gateway, GENERATED_HOOK.apiKey, GENERATED_HOOK.clientSecret)).toBe(true);
      expect(await opens(gateway, fresh['API Key'], fresh['Client Secret'])).toBe(true);
      expect(await opens(gateway, fresh['API Key'], GENERATED_HOOK.clientSecret)).toBe(false);
    } finally {
      await gateway.close();
    }

    const revoked = await cred(['revoke', 'audiohook', GENERATED_HOOK.apiKey, '--audiohook-secret-id', audiohookArn]);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(await secretOf(audiohookArn)).toMatchObject({ apiKey: fresh['API Key'], apiKeys: '' });
    gateway = await gatewayFromSecret();
    try {
      expect(await opens(gateway, GENERATED_HOOK.apiKey, GENERATED_HOOK.clientSecret)).toBe(false);
      expect(await opens(gateway, fresh['API Key'], fresh['Client Secret'])).toBe(true);
    } finally {
      await gateway.close();
    }
    // Nothing the command printed or wrote to stderr holds a secret it did not just create.
    for (const r of [list, rotated, revoked]) expect(r.stderr + r.stdout).not.toContain(GENERATED_HOOK.clientSecret);
  }, 60_000);

  it('creates and rotates API pairs in the stack secret; the API accepts old and new until the old one is revoked', async () => {
    const verify = apiVerifier();
    expect(await verify.verify(GENERATED_API.id, GENERATED_API.secret)).toMatchObject({ tenant: 'acme' });

    const created = await cred(['create', 'api', '--tenant', 'globex', '--api-secret-id', apiArn, '--json']);
    expect(created.code, created.stderr).toBe(0);
    const globex = JSON.parse(created.stdout) as { 'asapp-api-id': string; 'asapp-api-secret': string };
    const rotated = await cred(['rotate', 'api', GENERATED_API.id, '--api-secret-id', apiArn, '--json']);
    expect(rotated.code, rotated.stderr).toBe(0);
    const acme = JSON.parse(rotated.stdout) as { 'asapp-api-id': string; 'asapp-api-secret': string; tenant: string };
    expect(acme.tenant).toBe('acme');

    expect(await verify.verify(GENERATED_API.id, GENERATED_API.secret)).toMatchObject({ tenant: 'acme' });
    expect(await verify.verify(acme['asapp-api-id'], acme['asapp-api-secret'])).toMatchObject({ tenant: 'acme' });
    expect(await verify.verify(globex['asapp-api-id'], globex['asapp-api-secret'])).toMatchObject({ tenant: 'globex' });

    const human = await cred(['list', 'api', '--api-secret-id', apiArn]);
    expect(human.stdout).toMatch(new RegExp(`${GENERATED_API.id} +acme .* rotated `));

    const revokedApi = await cred(['revoke', 'api', GENERATED_API.id, '--api-secret-id', apiArn]);
    expect(revokedApi.code, revokedApi.stderr).toBe(0);
    // The operator is told that AWS's caches keep the pair working for a while, and how to cut that short.
    expect(revokedApi.stdout).toMatch(/authorizer cache .*flush-stage-authorizers-cache/);
    expect(await verify.verify(GENERATED_API.id, GENERATED_API.secret)).toBeUndefined();
    expect(await verify.verify(acme['asapp-api-id'], acme['asapp-api-secret'])).toMatchObject({ tenant: 'acme' });
    // The last pair of a tenant is not revoked by accident.
    const last = await cred(['revoke', 'api', globex['asapp-api-id'], '--api-secret-id', apiArn]);
    expect(last.code).toBe(1);
    expect(last.stderr).toContain('last active api credential of tenant globex');
  }, 60_000);

  it('refuses to overwrite a secret someone changed after it was read, and names unreachable or missing secrets (exit 3)', async () => {
    const store = () => secretsManagerCredentialStore({ client, audiohookSecretId: audiohookArn });
    const first = store();
    const second = store();
    const mine = await first.load();
    const theirs = await second.load();
    await second.save(rotate(theirs, 'audiohook', theirs.audiohook.at(-1)!.apiKey).set);
    await expect(first.save(rotate(mine, 'audiohook', mine.audiohook.at(-1)!.apiKey).set)).rejects.toThrow(/changed since it was read/);
    // The other operator's rotation survived.
    expect((await store().load()).audiohook).toEqual((await second.load()).audiohook);

    const missing = await cred(['list', '--audiohook-secret-id', 'no-such-secret']);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/ResourceNotFoundException/);
    const denied = await runCli('credentials-cli.ts', ['list', '--audiohook-secret-id', audiohookArn], {
      ...env,
      AWS_SECRET_ACCESS_KEY: 'not-the-key',
    });
    expect(denied.code).toBe(3);
    expect(denied.stderr).toMatch(/InvalidSignatureException/);
    expect((await cred(['list', '--file', 'x.json', '--audiohook-secret-id', audiohookArn])).code).toBe(2);
    // A kind whose secret was not named is a flag error (2), found before anything is read or written.
    const noApiSecret = await cred(['create', 'api', '--tenant', 'acme', '--audiohook-secret-id', audiohookArn]);
    expect(noApiSecret.code).toBe(2);
    expect(noApiSecret.stderr).toContain('--api-secret-id');
    const noHookSecret = await cred(['rotate', 'audiohook', 'some-key', '--api-secret-id', apiArn]);
    expect(noHookSecret.code).toBe(2);
    expect(noHookSecret.stderr).toContain('--audiohook-secret-id');
  }, 60_000);

  it('the emulator keeps AWS version semantics: a repeated request token is a no-op, a changed one is refused', async () => {
    const token = randomUUID();
    const put = (value: string) =>
      client.send(new PutSecretValueCommand({ SecretId: apiArn, SecretString: value, ClientRequestToken: token }));
    const before = await secretOf(apiArn);
    const a = await put(JSON.stringify(before));
    const b = await put(JSON.stringify(before));
    expect(b.VersionId).toBe(a.VersionId);
    await expect(put('[]')).rejects.toMatchObject({ name: 'ResourceExistsException' });
  });
});
