import { describe, expect, it } from 'vitest';
import { createCredentialVerifier } from '#core/api/auth.ts';
import { createCredentialsProvider } from '#core/api/credentials.ts';
import { loadApiConfig, parseCredentialList, redactionModeFor } from '#core/config/api.ts';
import { ConfigError } from '#core/config/stores.ts';

const pairs = [
  { id: 'app-a', secret: 'secret-a-long-enough', tenant: 'a' },
  { id: 'app-b', secret: 'b', tenant: 'b' },
];

describe('credential verifier', () => {
  const verify = createCredentialVerifier(pairs);

  it('accepts configured pairs and names their tenant', () => {
    expect(verify('app-a', 'secret-a-long-enough')).toEqual({ apiId: 'app-a', tenant: 'a' });
    expect(verify('app-b', 'b')).toEqual({ apiId: 'app-b', tenant: 'b' });
  });

  it.each([
    ['missing id', undefined, 'b'],
    ['missing secret', 'app-b', undefined],
    ['empty', '', ''],
    ['crossed pair', 'app-a', 'b'],
    ['prefix of the secret', 'app-a', 'secret-a'],
    ['secret extended', 'app-b', 'bb'],
    ['unicode lookalike', 'app-b', 'ｂ'],
  ])('rejects %s', (_name, id, secret) => {
    expect(verify(id, secret)).toBeUndefined();
  });
});

describe('credentials configuration', () => {
  it('reads a list, a single pair or a wrapped list; tenant defaults', () => {
    expect(parseCredentialList('[{"id":"i","secret":"s","tenant":"t"}]', 'd')).toEqual([{ id: 'i', secret: 's', tenant: 't' }]);
    expect(parseCredentialList('{"id":"i","secret":"s"}', 'd')).toEqual([{ id: 'i', secret: 's', tenant: 'd' }]);
    expect(parseCredentialList('{"credentials":[{"id":"i","secret":"s"}]}', 'd')).toEqual([{ id: 'i', secret: 's', tenant: 'd' }]);
  });

  it.each(['not json', '[]', '[{"id":"i"}]', '{"id":"","secret":"s"}', '42'])('refuses %s without echoing it', (text) => {
    try {
      parseCredentialList(text, 'd');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).not.toContain(text === '42' ? '42' : 'secret":"s');
    }
  });

  it('combines API_CREDENTIALS with API_ID/API_SECRET; a lone API_ID is an error; nothing configured is an error', () => {
    const config = loadApiConfig({
      API_CREDENTIALS: '[{"id":"x","secret":"y"}]',
      API_ID: 'dev',
      API_SECRET: 'devsecret',
      API_TENANT: 'home',
    });
    expect(config.credentials).toEqual({
      kind: 'static',
      credentials: [
        { id: 'x', secret: 'y', tenant: 'home' },
        { id: 'dev', secret: 'devsecret', tenant: 'home' },
      ],
    });
    expect(() => loadApiConfig({ API_ID: 'dev' })).toThrow(ConfigError);
    expect(() => loadApiConfig({})).toThrow(ConfigError);
  });

  it('API_CREDENTIALS_SECRET_ARN selects Secrets Manager', () => {
    expect(loadApiConfig({ API_CREDENTIALS_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:1:secret:api' }).credentials).toEqual({
      kind: 'secrets-manager',
      secretId: 'arn:aws:secretsmanager:eu-west-1:1:secret:api',
      cacheMs: 300_000,
      defaultTenant: 'default',
    });
  });

  it('redaction mode: default, per tenant, invalid refused', () => {
    const config = loadApiConfig({ API_ID: 'i', API_SECRET: 's', REDACTION_MODE: 'always', TENANT_REDACTION_MODES: '{"t":"off"}' });
    expect(redactionModeFor(config, 't')).toBe('off');
    expect(redactionModeFor(config, 'other')).toBe('always');
    expect(redactionModeFor(config, 'constructor')).toBe('always');
    expect(redactionModeFor(loadApiConfig({ API_ID: 'i', API_SECRET: 's' }), 'x')).toBe('default');
    expect(() => loadApiConfig({ API_ID: 'i', API_SECRET: 's', REDACTION_MODE: 'sometimes' })).toThrow(ConfigError);
    expect(() => loadApiConfig({ API_ID: 'i', API_SECRET: 's', TENANT_REDACTION_MODES: '{"t":"never"}' })).toThrow(ConfigError);
  });
});

describe('credentials from Secrets Manager', () => {
  function fakeSecrets(values: string[]) {
    const calls: unknown[] = [];
    const client = {
      send: async (command: unknown) => {
        calls.push(command);
        await new Promise((r) => setTimeout(r, 5));
        return { SecretString: values[Math.min(calls.length - 1, values.length - 1)] };
      },
    };
    return { client, calls };
  }

  it('loads once for concurrent requests, caches, and reloads after the cache time', async () => {
    let now = 0;
    const { client, calls } = fakeSecrets(['[{"id":"i","secret":"old","tenant":"t"}]', '[{"id":"i","secret":"new","tenant":"t"}]']);
    const provider = createCredentialsProvider(
      { kind: 'secrets-manager', secretId: 'arn', cacheMs: 1_000, defaultTenant: 'd' },
      { secretsManager: () => client as never, now: () => now },
    );
    const results = await Promise.all([provider.verify('i', 'old'), provider.verify('i', 'old'), provider.verify('i', 'new')]);
    expect(results).toEqual([{ apiId: 'i', tenant: 't' }, { apiId: 'i', tenant: 't' }, undefined]);
    expect(calls).toHaveLength(1);
    now = 999;
    expect(await provider.verify('i', 'old')).toBeDefined();
    expect(calls).toHaveLength(1);
    now = 1_000;
    expect(await provider.verify('i', 'new')).toBeDefined();
    expect(await provider.verify('i', 'old')).toBeUndefined();
    expect(calls).toHaveLength(2);
  });

  it('a failed load is retried by the next request', async () => {
    let fail = true;
    const client = {
      send: async () => {
        if (fail) throw new Error('unreachable');
        return { SecretString: '{"id":"i","secret":"s"}' };
      },
    };
    const provider = createCredentialsProvider(
      { kind: 'secrets-manager', secretId: 'arn', cacheMs: 60_000, defaultTenant: 'd' },
      { secretsManager: () => client as never },
    );
    await expect(provider.verify('i', 's')).rejects.toThrow('unreachable');
    fail = false;
    expect(await provider.verify('i', 's')).toEqual({ apiId: 'i', tenant: 'd' });
  });
});
