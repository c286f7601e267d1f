import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestPki } from './support/certs.ts';
import type { TestPki } from './support/certs.ts';
import { deliveryFromEnv } from './support/delivery.ts';
import { sqsRecord, startServer } from './support/servers.ts';
import type { ReceivedRequest, TestServer } from './support/servers.ts';

/**
 * A real OAuth2 authorisation server (client_credentials) and a target that accepts only the tokens it
 * issued and has not revoked, both over HTTPS with the test CA.
 */

const CLIENT_ID = 'transcribe client';
const CLIENT_SECRET = 'p@ss:word+/=';
let pki: TestPki;
let idp: TestServer;
let target: TestServer;

const idpState = {
  issued: [] as string[],
  valid: new Set<string>(),
  expiresIn: 3600 as number | undefined,
  delayMs: 0,
  tokenRequests: [] as ReceivedRequest[],
};

function clientCredentials(req: ReceivedRequest): { id?: string; secret?: string } {
  const decode = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
  const auth = req.headers.authorization;
  if (auth?.startsWith('Basic ')) {
    const [id, secret] = Buffer.from(auth.slice(6), 'base64').toString('utf8').split(':');
    return { id: decode(id ?? ''), secret: decode(secret ?? '') };
  }
  const form = new URLSearchParams(req.body);
  return { id: form.get('client_id') ?? undefined, secret: form.get('client_secret') ?? undefined };
}

beforeAll(async () => {
  pki = createTestPki();
  const tls = { cert: pki.server.cert, key: pki.server.key };
  idp = await startServer(tls, (req, res) => {
    idpState.tokenRequests.push(req);
    const form = new URLSearchParams(req.body);
    const { id, secret } = clientCredentials(req);
    const reply = () => {
      if (req.url !== '/oauth/token' || form.get('grant_type') !== 'client_credentials') {
        res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"unsupported_grant_type"}');
      } else if (id !== CLIENT_ID || secret !== CLIENT_SECRET) {
        res
          .writeHead(401, { 'content-type': 'application/json' })
          .end(JSON.stringify({ error: 'invalid_client', error_description: `bad secret ${String(secret)}` }));
      } else {
        const token = `tok-${idpState.issued.length + 1}`;
        idpState.issued.push(token);
        idpState.valid.add(token);
        res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(
          JSON.stringify({
            access_token: token,
            token_type: 'Bearer',
            ...(idpState.expiresIn !== undefined ? { expires_in: idpState.expiresIn } : {}),
          }),
        );
      }
    };
    if (idpState.delayMs > 0) setTimeout(reply, idpState.delayMs);
    else reply();
  });
  target = await startServer(tls, (req, res) => {
    const token = req.headers.authorization?.replace(/^Bearer /, '');
    res.writeHead(token && idpState.valid.has(token) ? 200 : 401).end();
  });
});

afterAll(async () => {
  await Promise.all([idp?.close(), target?.close()]);
  pki?.cleanup();
});

beforeEach(() => {
  idpState.issued = [];
  idpState.valid = new Set();
  idpState.expiresIn = 3600;
  idpState.delayMs = 0;
  idpState.tokenRequests = [];
  target.requests.length = 0;
});

function setup(extra: Record<string, string> = {}, now?: () => number) {
  return deliveryFromEnv(
    {
      WEBHOOK_URL: target.url,
      WEBHOOK_AUTH_MODE: 'oauth2+custom-ca',
      WEBHOOK_CA_PEM: pki.serverCa.cert,
      WEBHOOK_OAUTH2_TOKEN_URL: idp.url.replace('/hook', '/oauth/token'),
      WEBHOOK_OAUTH2_CLIENT_ID: CLIENT_ID,
      WEBHOOK_OAUTH2_CLIENT_SECRET: CLIENT_SECRET,
      WEBHOOK_OAUTH2_SCOPE: 'transcripts:write',
      WEBHOOK_OAUTH2_AUDIENCE: 'https://api.customer.test',
      WEBHOOK_TIMEOUT_MS: '2000',
      ...extra,
    },
    now,
  );
}

describe('OAuth2 client_credentials', () => {
  it('fetches one token with Basic client authentication and reuses it across messages and batches', async () => {
    const { delivery } = setup();
    try {
      const first = await delivery.handle([sqsRecord(), sqsRecord()]);
      const second = await delivery.handle([sqsRecord()]);
      expect(first.batchItemFailures).toEqual([]);
      expect(second.batchItemFailures).toEqual([]);
    } finally {
      delivery.close();
    }
    expect(idpState.tokenRequests).toHaveLength(1);
    const tokenRequest = idpState.tokenRequests[0];
    expect(tokenRequest.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(tokenRequest.body))).toEqual({
      grant_type: 'client_credentials',
      scope: 'transcripts:write',
      audience: 'https://api.customer.test',
    });
    expect(target.requests.map((r) => r.headers.authorization)).toEqual(['Bearer tok-1', 'Bearer tok-1', 'Bearer tok-1']);
  });

  it('supports client_secret_post', async () => {
    const { delivery } = setup({ WEBHOOK_OAUTH2_CLIENT_AUTH: 'post' });
    try {
      expect((await delivery.handle([sqsRecord()])).batchItemFailures).toEqual([]);
    } finally {
      delivery.close();
    }
    expect(idpState.tokenRequests[0].headers.authorization).toBeUndefined();
    expect(new URLSearchParams(idpState.tokenRequests[0].body).get('client_id')).toBe(CLIENT_ID);
  });

  it('shares one in-flight token request between concurrent deliveries', async () => {
    idpState.delayMs = 50;
    const { delivery } = setup();
    try {
      const out = await delivery.handle(['a', 'b', 'c', 'd', 'e'].map((c) => sqsRecord({ conversationId: c })));
      expect(out.delivered).toBe(5);
    } finally {
      delivery.close();
    }
    expect(idpState.tokenRequests).toHaveLength(1);
  });

  it('refetches 60 s before expires_in', async () => {
    let clock = Date.now();
    const { delivery } = setup({}, () => clock);
    try {
      await delivery.handle([sqsRecord({ recordedAt: clock })]);
      clock += 3_539_000;
      await delivery.handle([sqsRecord({ recordedAt: clock })]);
      expect(idpState.tokenRequests).toHaveLength(1);
      clock += 1_000;
      await delivery.handle([sqsRecord({ recordedAt: clock })]);
      expect(idpState.tokenRequests).toHaveLength(2);
    } finally {
      delivery.close();
    }
    expect(target.requests.map((r) => r.headers.authorization)).toEqual(['Bearer tok-1', 'Bearer tok-1', 'Bearer tok-2']);
  });

  it('on a 401 from the target discards the token and sends that message once more with a fresh one', async () => {
    const { delivery, recorder } = setup();
    try {
      await delivery.handle([sqsRecord({ start: 1 })]);
      idpState.valid.delete('tok-1'); // revoked by the customer before it expired
      const record = sqsRecord({ start: 2 });
      const out = await delivery.handle([record]);
      expect(out.batchItemFailures).toEqual([]);
      expect(recorder.events.map((e) => e.kind)).toEqual(['delivered', 'delivered']);
      expect(target.requests.map((r) => [r.headers.authorization, r.body === record.body])).toEqual([
        ['Bearer tok-1', false],
        ['Bearer tok-1', true],
        ['Bearer tok-2', true],
      ]);
      expect(idpState.tokenRequests).toHaveLength(2);
    } finally {
      delivery.close();
    }
  });

  it('records a failure when the target still answers 401 after the refresh, without a third attempt', async () => {
    const { delivery, recorder } = setup();
    target.respond = (_req, res) => res.writeHead(401).end();
    try {
      const out = await delivery.handle([sqsRecord()]);
      expect(out.batchItemFailures).toHaveLength(1);
      expect(recorder.events[0]).toMatchObject({ kind: 'failed', status: 401, reason: 'status 401 (after token refresh)' });
      expect(target.requests).toHaveLength(2);
      expect(idpState.tokenRequests).toHaveLength(2);
    } finally {
      delivery.close();
      target.respond = (req, res) => {
        const token = req.headers.authorization?.replace(/^Bearer /, '');
        res.writeHead(token && idpState.valid.has(token) ? 200 : 401).end();
      };
    }
  });

  it('records wrong client credentials as a failure and never calls the target', async () => {
    const { delivery, recorder } = setup({ WEBHOOK_OAUTH2_CLIENT_SECRET: 'not-the-secret' });
    try {
      const out = await delivery.handle([sqsRecord({ conversationId: 'x' }), sqsRecord({ conversationId: 'y' })]);
      expect(out.batchItemFailures).toHaveLength(2);
      expect(recorder.events.map((e) => e.reason)).toEqual([
        'oauth2: token endpoint status 401 (invalid_client)',
        'oauth2: token endpoint status 401 (invalid_client)',
      ]);
      expect(JSON.stringify(recorder.events)).not.toContain('not-the-secret');
      expect(target.requests).toHaveLength(0);
      // Both deliveries shared one request (in flight, then the failure cool-down).
      expect(idpState.tokenRequests).toHaveLength(1);
    } finally {
      delivery.close();
    }
  });

  it('records an unreachable token endpoint', async () => {
    const gone = await startServer({ cert: pki.server.cert, key: pki.server.key });
    const tokenUrl = gone.url;
    await gone.close();
    const { delivery, recorder } = setup({ WEBHOOK_OAUTH2_TOKEN_URL: tokenUrl });
    try {
      await delivery.handle([sqsRecord()]);
      expect(recorder.events[0]).toMatchObject({ kind: 'failed', reason: 'oauth2: token endpoint ECONNREFUSED' });
    } finally {
      delivery.close();
    }
  });

  it('treats a token response without expires_in as valid for 5 minutes less the margin', async () => {
    idpState.expiresIn = undefined;
    let clock = Date.now();
    const { delivery } = setup({}, () => clock);
    try {
      await delivery.handle([sqsRecord({ recordedAt: clock })]);
      clock += 239_000;
      await delivery.handle([sqsRecord({ recordedAt: clock })]);
      expect(idpState.tokenRequests).toHaveLength(1);
      clock += 2_000;
      await delivery.handle([sqsRecord({ recordedAt: clock })]);
      expect(idpState.tokenRequests).toHaveLength(2);
    } finally {
      delivery.close();
    }
  });
});
