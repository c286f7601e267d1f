import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPki } from './support/certs.ts';
import type { TestPki } from './support/certs.ts';
import { deliveryFromEnv } from './support/delivery.ts';
import { sqsRecord, startServer } from './support/servers.ts';
import type { TestServer } from './support/servers.ts';

/** Custom CA and mTLS against real HTTPS servers with certificates generated for the run. */

let pki: TestPki;
let plainTls: TestServer;
let mtls: TestServer;
let expired: TestServer;
let untrusted: TestServer;
const peers: Array<string | undefined> = [];

beforeAll(async () => {
  pki = createTestPki();
  plainTls = await startServer({ cert: pki.server.cert, key: pki.server.key });
  mtls = await startServer(
    { cert: pki.server.cert, key: pki.server.key, ca: pki.clientCa.cert, requestCert: true, rejectUnauthorized: true },
    (_req, res) => res.writeHead(204).end(),
  );
  expired = await startServer({ cert: pki.expiredServer.cert, key: pki.expiredServer.key });
  untrusted = await startServer({ cert: pki.untrustedServer.cert, key: pki.untrustedServer.key });
});

afterAll(async () => {
  await Promise.all([plainTls, mtls, expired, untrusted].map((s) => s?.close()));
  pki?.cleanup();
});

const customCa = (url: string, extra: Record<string, string> = {}) => ({
  WEBHOOK_URL: url,
  WEBHOOK_AUTH_MODE: 'custom-ca',
  WEBHOOK_CA_PEM: pki.serverCa.cert,
  WEBHOOK_TIMEOUT_MS: '2000',
  ...extra,
});

async function deliverOne(env: Record<string, string>) {
  const { delivery, recorder } = deliveryFromEnv(env);
  const record = sqsRecord();
  try {
    const out = await delivery.handle([record]);
    return { out, events: recorder.events, record };
  } finally {
    delivery.close();
  }
}

describe('custom CA', () => {
  it('delivers to a target whose certificate chains to the configured CA', async () => {
    const before = plainTls.requests.length;
    const { out, events, record } = await deliverOne(customCa(plainTls.url));
    expect(out).toMatchObject({ delivered: 1, batchItemFailures: [] });
    expect(events[0]).toMatchObject({ kind: 'delivered', status: 200 });
    const got = plainTls.requests[before];
    expect(got.method).toBe('POST');
    expect(got.url).toBe('/hook');
    expect(got.headers['content-type']).toBe('application/json');
    expect(got.body).toBe(record.body);
  });

  it('rejects the same target without the CA (system roots only)', async () => {
    const { out, events } = await deliverOne({ WEBHOOK_URL: plainTls.url, WEBHOOK_AUTH_MODE: 'none' });
    expect(out.batchItemFailures).toHaveLength(1);
    expect(events[0]).toMatchObject({ kind: 'failed', reason: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', disposition: 'dead-letter' });
  });

  it('rejects it with an unrelated CA', async () => {
    const { events } = await deliverOne(customCa(plainTls.url, { WEBHOOK_CA_PEM: pki.clientCa.cert }));
    expect(events[0]).toMatchObject({ kind: 'failed', reason: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
  });

  it('records an expired target certificate', async () => {
    const { out, events } = await deliverOne(customCa(expired.url));
    expect(out.batchItemFailures).toHaveLength(1);
    expect(events[0]).toMatchObject({ kind: 'failed', reason: 'CERT_HAS_EXPIRED' });
    expect(expired.requests).toHaveLength(0);
  });

  it('records a certificate from an untrusted CA', async () => {
    const { events } = await deliverOne(customCa(untrusted.url));
    expect(events[0]).toMatchObject({ kind: 'failed', reason: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    expect(untrusted.requests).toHaveLength(0);
  });

  it('reuses one keep-alive connection across messages and batches', async () => {
    const { delivery } = deliveryFromEnv(customCa(plainTls.url));
    const before = plainTls.requests.length;
    try {
      await delivery.handle([sqsRecord(), sqsRecord()]);
      await delivery.handle([sqsRecord()]);
    } finally {
      delivery.close();
    }
    const ports = new Set(plainTls.requests.slice(before).map((r) => r.remotePort));
    expect(plainTls.requests.length - before).toBe(3);
    expect(ports.size).toBe(1);
  });
});

describe('mTLS', () => {
  const mtlsEnv = (cert: string, key: string) =>
    customCa(mtls.url, { WEBHOOK_AUTH_MODE: 'custom-ca+mtls', WEBHOOK_CLIENT_CERT_PEM: cert, WEBHOOK_CLIENT_KEY_PEM: key });

  it('presents the configured client certificate', async () => {
    mtls.respond = (_req, res) => {
      peers.push(String((res.req.socket as TLSSocket).getPeerCertificate().subject?.CN));
      res.writeHead(204).end();
    };
    const { out, events } = await deliverOne(mtlsEnv(pki.client.cert, pki.client.key));
    expect(out.batchItemFailures).toEqual([]);
    expect(events[0]).toMatchObject({ kind: 'delivered', status: 204 });
    expect(peers).toEqual(['transcribe-webhook']);
  });

  it('is rejected by the target with a client certificate from another CA', async () => {
    const before = mtls.requests.length;
    const { out, events } = await deliverOne(mtlsEnv(pki.wrongClient.cert, pki.wrongClient.key));
    expect(out.batchItemFailures).toHaveLength(1);
    expect(events[0].kind).toBe('failed');
    expect(events[0].reason).toMatch(/^(ECONNRESET|EPIPE|ERR_SSL_\w+)$/);
    expect(mtls.requests.length).toBe(before);
  });

  it('is rejected by the target without a client certificate', async () => {
    const before = mtls.requests.length;
    const { events } = await deliverOne(customCa(mtls.url));
    expect(events[0].kind).toBe('failed');
    expect(mtls.requests.length).toBe(before);
  });
});

describe('TLS version', () => {
  it('refuses a target that offers only TLS 1.1', async () => {
    let server: TestServer | undefined;
    try {
      server = await startServer({
        cert: pki.server.cert,
        key: pki.server.key,
        minVersion: 'TLSv1',
        maxVersion: 'TLSv1.1',
        ciphers: 'DEFAULT@SECLEVEL=0',
      });
      const { events } = await deliverOne(customCa(server.url));
      expect(events[0].kind).toBe('failed');
      expect(events[0].reason).toMatch(/^ERR_SSL_\w+$|^EPROTO$/);
      expect(server.requests).toHaveLength(0);
    } finally {
      await server?.close();
    }
  });
});
