import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPki } from './support/certs.ts';
import type { TestPki } from './support/certs.ts';
import { deliveryFromEnv } from './support/delivery.ts';
import { sqsRecord, startServer } from './support/servers.ts';
import type { TestServer } from './support/servers.ts';

const SECRET = 's3cr3t value&=/+';
let pki: TestPki;
let target: TestServer;

beforeAll(async () => {
  pki = createTestPki();
  // The target checks the secret itself, as a customer's endpoint would.
  target = await startServer({ cert: pki.server.cert, key: pki.server.key }, (req, res) => {
    const url = new URL(req.url, 'https://localhost');
    const ok = req.headers['x-asapp-secret'] === SECRET || url.searchParams.get('api_key') === SECRET;
    res.writeHead(ok ? 200 : 403).end();
  });
});

afterAll(async () => {
  await target?.close();
  pki?.cleanup();
});

const env = (url: string, extra: Record<string, string>) => ({
  WEBHOOK_URL: url,
  WEBHOOK_AUTH_MODE: 'secret-token+custom-ca',
  WEBHOOK_CA_PEM: pki.serverCa.cert,
  WEBHOOK_SECRET_TOKEN_VALUE: SECRET,
  ...extra,
});

async function deliver(e: Record<string, string>) {
  const { delivery, recorder } = deliveryFromEnv(e);
  const before = target.requests.length;
  try {
    const out = await delivery.handle([sqsRecord()]);
    return { out, events: recorder.events, request: target.requests[before] };
  } finally {
    delivery.close();
  }
}

describe('secret token', () => {
  it('sends the secret as a header with the configured name', async () => {
    const { out, request } = await deliver(env(target.url, { WEBHOOK_SECRET_TOKEN_NAME: 'X-Asapp-Secret' }));
    expect(out.batchItemFailures).toEqual([]);
    expect(request.headers['x-asapp-secret']).toBe(SECRET);
    expect(request.url).toBe('/hook');
  });

  it('sends the secret as a query parameter, keeping the target URL’s own query as it was', async () => {
    const { out, request } = await deliver(
      env(`${target.url}?tenant=a%20b&x=1`, { WEBHOOK_SECRET_TOKEN_NAME: 'api_key', WEBHOOK_SECRET_TOKEN_LOCATION: 'query' }),
    );
    expect(out.batchItemFailures).toEqual([]);
    expect(request.url).toBe(`/hook?tenant=a%20b&x=1&api_key=${new URLSearchParams({ k: SECRET }).toString().slice(2)}`);
    expect(request.headers['x-asapp-secret']).toBeUndefined();
  });

  it('records the target’s rejection of a wrong secret without the secret in the reason', async () => {
    const { out, events } = await deliver(
      env(target.url, { WEBHOOK_SECRET_TOKEN_NAME: 'X-Asapp-Secret', WEBHOOK_SECRET_TOKEN_VALUE: 'wrong' }),
    );
    expect(out.batchItemFailures).toHaveLength(1);
    expect(events[0]).toMatchObject({ kind: 'failed', status: 403, reason: 'status 403' });
  });
});
