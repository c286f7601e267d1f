import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebhookConfigError, loadWebhookConfig, parseSecretJson, parseWebhookConfig } from '#core/webhook/config.ts';
import { createTestPki } from '#test/integration/webhook/support/certs.ts';
import type { TestPki } from '#test/integration/webhook/support/certs.ts';

let pki: TestPki;
beforeAll(() => {
  pki = createTestPki();
});
afterAll(() => pki.cleanup());

const problemsOf = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(WebhookConfigError);
    return [...(err as WebhookConfigError).problems];
  }
  throw new Error('expected a WebhookConfigError');
};

describe('parseWebhookConfig', () => {
  it('applies the contract defaults', () => {
    const c = parseWebhookConfig({ WEBHOOK_URL: 'http://127.0.0.1:9999/hook' });
    expect([...c.modes]).toEqual(['none']);
    expect(c).toMatchObject({ timeoutMs: 5000, deadlineMs: 60000, maxAttempts: 1, parallelConversations: 16, tls: {} });
    expect(c.secretToken).toBeUndefined();
    expect(c.oauth2).toBeUndefined();
    expect(c.queueUrl).toBeUndefined();
  });

  it('refuses the old WEBHOOK_CONCURRENCY, naming the variable that replaced it', () => {
    expect(problemsOf(() => parseWebhookConfig({ WEBHOOK_URL: 'https://example.com/h', WEBHOOK_CONCURRENCY: '4' }))).toEqual([
      'WEBHOOK_CONCURRENCY: was renamed WEBHOOK_PARALLEL_CONVERSATIONS (conversations delivered in parallel within a batch)',
    ]);
    expect(parseWebhookConfig({ WEBHOOK_URL: 'https://example.com/h', WEBHOOK_PARALLEL_CONVERSATIONS: '4' }).parallelConversations).toBe(4);
  });

  it('treats empty variables as unset', () => {
    const c = parseWebhookConfig({ WEBHOOK_URL: 'https://example.com/h', WEBHOOK_TIMEOUT_MS: '', WEBHOOK_AUTH_MODE: '' });
    expect(c.timeoutMs).toBe(5000);
  });

  it('requires WEBHOOK_URL and rejects bad numbers', () => {
    expect(problemsOf(() => parseWebhookConfig({}))).toEqual(['WEBHOOK_URL: is required']);
    const p = problemsOf(() =>
      parseWebhookConfig({ WEBHOOK_URL: 'https://x.test', WEBHOOK_TIMEOUT_MS: 'soon', WEBHOOK_MAX_ATTEMPTS: '0' }),
    );
    expect(p.some((m) => m.startsWith('WEBHOOK_TIMEOUT_MS:'))).toBe(true);
    expect(p.some((m) => m.startsWith('WEBHOOK_MAX_ATTEMPTS:'))).toBe(true);
  });

  it('does not echo a malformed URL (it may carry a query secret)', () => {
    const p = problemsOf(() => parseWebhookConfig({ WEBHOOK_URL: 'not a url?token=s3cr3t' }));
    expect(p).toEqual(['WEBHOOK_URL is not a valid URL']);
  });

  it('allows plain http only without authentication', () => {
    const p = problemsOf(() =>
      parseWebhookConfig({
        WEBHOOK_URL: 'http://example.com/h',
        WEBHOOK_AUTH_MODE: 'secret-token',
        WEBHOOK_SECRET_TOKEN_NAME: 'x-token',
        WEBHOOK_SECRET_TOKEN_VALUE: 'v',
      }),
    );
    expect(p).toContain('WEBHOOK_URL must use https when WEBHOOK_AUTH_MODE is not none');
  });

  it('accepts the allowed mode combinations and rejects the others', () => {
    const c = parseWebhookConfig({
      WEBHOOK_URL: 'https://example.com/h',
      WEBHOOK_AUTH_MODE: 'custom-ca+mtls',
      WEBHOOK_CA_PEM: pki.serverCa.cert,
      WEBHOOK_CLIENT_CERT_PEM: pki.client.cert,
      WEBHOOK_CLIENT_KEY_PEM: pki.client.key,
    });
    expect([...c.modes].sort()).toEqual(['custom-ca', 'mtls']);
    expect(c.tls).toEqual({ ca: pki.serverCa.cert, cert: pki.client.cert, key: pki.client.key });

    const p = problemsOf(() => parseWebhookConfig({ WEBHOOK_URL: 'https://example.com/h', WEBHOOK_AUTH_MODE: 'mtls,oauth2' }));
    expect(p[0]).toMatch(/^WEBHOOK_AUTH_MODE: mtls\+oauth2 is not an allowed combination/);
    expect(problemsOf(() => parseWebhookConfig({ WEBHOOK_URL: 'https://e.test', WEBHOOK_AUTH_MODE: 'kerberos' }))[0]).toMatch(
      /unknown mode "kerberos"/,
    );
  });

  it('names missing fields of the selected mode and stray fields of other modes', () => {
    const p = problemsOf(() =>
      parseWebhookConfig({
        WEBHOOK_URL: 'https://example.com/h',
        WEBHOOK_AUTH_MODE: 'oauth2',
        WEBHOOK_OAUTH2_TOKEN_URL: 'https://idp.test/token',
        WEBHOOK_SECRET_TOKEN_VALUE: 'stray',
      }),
    );
    expect(p).toEqual(
      expect.arrayContaining([
        'WEBHOOK_OAUTH2_CLIENT_ID is required when WEBHOOK_AUTH_MODE includes oauth2',
        'WEBHOOK_OAUTH2_CLIENT_SECRET is required when WEBHOOK_AUTH_MODE includes oauth2',
        'WEBHOOK_SECRET_TOKEN_VALUE is set but WEBHOOK_AUTH_MODE does not include secret-token',
      ]),
    );
  });

  it('parses secret-token and oauth2 settings', () => {
    const t = parseWebhookConfig({
      WEBHOOK_URL: 'https://example.com/h',
      WEBHOOK_AUTH_MODE: 'secret-token',
      WEBHOOK_SECRET_TOKEN_NAME: 'api_key',
      WEBHOOK_SECRET_TOKEN_LOCATION: 'query',
      WEBHOOK_SECRET_TOKEN_VALUE: 'v a&l',
    });
    expect(t.secretToken).toEqual({ name: 'api_key', location: 'query', value: 'v a&l' });

    const o = parseWebhookConfig({
      WEBHOOK_URL: 'https://example.com/h',
      WEBHOOK_AUTH_MODE: 'oauth2+custom-ca',
      WEBHOOK_CA_PEM: pki.serverCa.cert,
      WEBHOOK_OAUTH2_TOKEN_URL: 'https://idp.test/oauth/token',
      WEBHOOK_OAUTH2_CLIENT_ID: 'id',
      WEBHOOK_OAUTH2_CLIENT_SECRET: 'secret',
      WEBHOOK_OAUTH2_AUDIENCE: 'https://api.customer.test',
    });
    expect(o.oauth2).toMatchObject({ clientId: 'id', clientAuth: 'basic', audience: 'https://api.customer.test' });
    expect(o.oauth2?.tokenUrl.href).toBe('https://idp.test/oauth/token');
    expect(o.oauth2?.scope).toBeUndefined();
  });

  it('requires an https token URL', () => {
    const p = problemsOf(() =>
      parseWebhookConfig({
        WEBHOOK_URL: 'https://example.com/h',
        WEBHOOK_AUTH_MODE: 'oauth2',
        WEBHOOK_OAUTH2_TOKEN_URL: 'http://idp.test/token',
        WEBHOOK_OAUTH2_CLIENT_ID: 'id',
        WEBHOOK_OAUTH2_CLIENT_SECRET: 'secret',
      }),
    );
    expect(p).toEqual(['WEBHOOK_OAUTH2_TOKEN_URL must use https']);
  });

  it('never echoes secret values in its errors', () => {
    const secret = 'TOPSECRET-VALUE-123';
    const errors = [
      problemsOf(() =>
        parseWebhookConfig({
          WEBHOOK_URL: 'https://example.com/h',
          WEBHOOK_AUTH_MODE: 'secret-token',
          WEBHOOK_SECRET_TOKEN_NAME: 'x-token',
          WEBHOOK_SECRET_TOKEN_VALUE: `${secret}\r\nx-evil: 1`,
        }),
      ),
      problemsOf(() =>
        parseWebhookConfig({
          WEBHOOK_URL: 'https://example.com/h',
          WEBHOOK_AUTH_MODE: 'mtls',
          WEBHOOK_CLIENT_CERT_PEM: pki.client.cert,
          WEBHOOK_CLIENT_KEY_PEM: `-----BEGIN PRIVATE KEY-----\n${secret}\n-----END PRIVATE KEY-----\n`,
        }),
      ),
      problemsOf(() =>
        parseWebhookConfig({ WEBHOOK_URL: 'https://example.com/h', WEBHOOK_AUTH_MODE: 'custom-ca', WEBHOOK_CA_PEM: secret }),
      ),
    ];
    expect(errors[0]).toEqual(['WEBHOOK_SECRET_TOKEN_VALUE contains characters not allowed in an HTTP header']);
    expect(errors[1]).toEqual(['WEBHOOK_CLIENT_KEY_PEM cannot be parsed as a PEM private key (or the passphrase is wrong)']);
    expect(errors[2]).toEqual(['WEBHOOK_CA_PEM contains no PEM certificate']);
    expect(JSON.stringify(errors)).not.toContain(secret);
  });

  it('catches a client key that does not match the certificate', () => {
    const p = problemsOf(() =>
      parseWebhookConfig({
        WEBHOOK_URL: 'https://example.com/h',
        WEBHOOK_AUTH_MODE: 'mtls',
        WEBHOOK_CLIENT_CERT_PEM: pki.client.cert,
        WEBHOOK_CLIENT_KEY_PEM: pki.wrongClient.key,
      }),
    );
    expect(p).toEqual(['WEBHOOK_CLIENT_KEY_PEM does not match WEBHOOK_CLIENT_CERT_PEM']);
  });

  it('rejects a header name the client sets itself', () => {
    const p = problemsOf(() =>
      parseWebhookConfig({
        WEBHOOK_URL: 'https://example.com/h',
        WEBHOOK_AUTH_MODE: 'secret-token',
        WEBHOOK_SECRET_TOKEN_NAME: 'Content-Type',
        WEBHOOK_SECRET_TOKEN_VALUE: 'x',
      }),
    );
    expect(p).toEqual(['WEBHOOK_SECRET_TOKEN_NAME must not be a header the client sets itself']);
  });
});

describe('loadWebhookConfig', () => {
  it('reads PEM files and refuses a PEM given twice', async () => {
    const caFile = join(pki.dir, 'server-ca.pem');
    const c = await loadWebhookConfig({ WEBHOOK_URL: 'https://e.test/h', WEBHOOK_AUTH_MODE: 'custom-ca', WEBHOOK_CA_FILE: caFile });
    expect(c.tls.ca).toBe(pki.serverCa.cert);
    await expect(
      loadWebhookConfig({
        WEBHOOK_URL: 'https://e.test/h',
        WEBHOOK_AUTH_MODE: 'custom-ca',
        WEBHOOK_CA_FILE: caFile,
        WEBHOOK_CA_PEM: pki.serverCa.cert,
      }),
    ).rejects.toThrow('set either WEBHOOK_CA_PEM or WEBHOOK_CA_FILE, not both');
    await expect(
      loadWebhookConfig({ WEBHOOK_URL: 'https://e.test/h', WEBHOOK_AUTH_MODE: 'custom-ca', WEBHOOK_CA_FILE: join(pki.dir, 'nope') }),
    ).rejects.toThrow('WEBHOOK_CA_FILE: cannot read the file (ENOENT)');
  });

  it('overlays the Secrets Manager JSON, fetched by ARN', async () => {
    const keyFile = join(pki.dir, 'client-key-copy.pem');
    writeFileSync(keyFile, pki.client.key);
    const asked: string[] = [];
    const c = await loadWebhookConfig(
      {
        WEBHOOK_URL: 'https://e.test/h',
        WEBHOOK_AUTH_MODE: 'mtls',
        WEBHOOK_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:1:secret:webhook',
      },
      async (arn) => {
        asked.push(arn);
        return JSON.stringify({ WEBHOOK_CLIENT_CERT_PEM: pki.client.cert, WEBHOOK_CLIENT_KEY_PEM: pki.client.key });
      },
    );
    expect(asked).toEqual(['arn:aws:secretsmanager:eu-west-1:1:secret:webhook']);
    expect(c.tls.cert).toBe(pki.client.cert);
    await expect(loadWebhookConfig({ WEBHOOK_URL: 'https://e.test/h', WEBHOOK_SECRET_ARN: 'arn:x' })).rejects.toThrow('no secret reader');
  });

  it('rejects unknown or non-string keys in the secret without echoing values', () => {
    expect(() => parseSecretJson('not json s3cr3t')).toThrow('the secret is not a JSON object');
    try {
      parseSecretJson(JSON.stringify({ WEBHOOK_URL: 'https://s3cr3t.test', WEBHOOK_SECRET_TOKEN_VALUE: 42 }));
      expect.unreachable();
    } catch (err) {
      const msg = (err as Error).message;
      expect(msg).toContain('unexpected key "WEBHOOK_URL"');
      expect(msg).toContain('WEBHOOK_SECRET_TOKEN_VALUE must be a string');
      expect(msg).not.toContain('s3cr3t');
    }
  });
});
