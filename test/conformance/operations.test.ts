import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { signRequest } from '#gateway/audiohook/signature.ts';
import { AudioHookClient, UpgradeRefusedError } from '#local/simulator/client.ts';
import { startTestGateway, TEST_API_KEY, TEST_CLIENT_SECRET, UNSIGNED_API_KEY, type TestGateway } from '../support/gateway.ts';

/** Upgrade authentication in both rejection styles, limits, health, idle timeout and the drain. */

let gw: TestGateway | undefined;
afterEach(async () => {
  await gw?.close();
  gw = undefined;
});

describe('authentication on the upgrade', () => {
  it('accepts a signed upgrade and an unsigned one for a key without a secret', async () => {
    gw = await startTestGateway();
    const signed = new AudioHookClient(gw.clientOptions);
    expect((await signed.start()).type).toBe('opened');
    await signed.close();
    const unsigned = new AudioHookClient({ url: gw.url, apiKey: UNSIGNED_API_KEY });
    expect((await unsigned.start()).type).toBe('opened');
    await unsigned.close();
  });

  it.each([
    ['an unknown key', { apiKey: 'no-such-key' }],
    ['a wrong secret', { clientSecret: Buffer.from('another-secret-of-thirty-two-byt').toString('base64') }],
    ['no signature for a key that has a secret', { clientSecret: undefined }],
    ['no X-API-KEY', { headers: { 'X-API-KEY': undefined } }],
  ])('disconnects with unauthorized (after the floor) for %s, ignoring open', async (_name, override) => {
    gw = await startTestGateway({ env: { AUTH_FAILURE_FLOOR_MS: '200' } });
    const c = new AudioHookClient({ ...gw.clientOptions, ...override });
    const t0 = performance.now();
    await c.connect();
    const reply = await c.open();
    expect(performance.now() - t0).toBeGreaterThanOrEqual(190);
    // clientseq acknowledges the open that arrived while the verdict was pending.
    expect(reply).toMatchObject({
      type: 'disconnect',
      seq: 1,
      clientseq: 1,
      parameters: { reason: 'unauthorized', info: 'authentication failed' },
    });
    await c.waitFor((m) => m.type === 'closed', 2_000);
    expect(c.received.some((m) => m.type === 'opened')).toBe(false);
    expect(c.violations).toEqual([]);
  });

  it('refuses the upgrade with 401 in http401 mode, and only after the floor', async () => {
    gw = await startTestGateway({ env: { AUTH_REJECTION: 'http401', AUTH_FAILURE_FLOOR_MS: '200' } });
    const c = new AudioHookClient({ ...gw.clientOptions, apiKey: 'wrong-key' });
    const t0 = performance.now();
    await expect(c.connect()).rejects.toBeInstanceOf(UpgradeRefusedError);
    expect(c.upgradeStatus).toBe(401);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(190);
    const ok = new AudioHookClient(gw.clientOptions);
    expect((await ok.start()).type).toBe('opened');
    await ok.close();
  });

  it('rejects a replayed nonce', async () => {
    gw = await startTestGateway();
    const url = new URL(gw.url);
    const ids = { organizationId: crypto.randomUUID(), sessionId: crypto.randomUUID(), correlationId: crypto.randomUUID() };
    const signed = signRequest({
      apiKey: TEST_API_KEY,
      secret: Buffer.from(TEST_CLIENT_SECRET, 'base64'),
      requestTarget: url.pathname,
      authority: url.host,
      ...ids,
      nonce: randomBytes(18).toString('base64'),
    });
    const headers = {
      'Audiohook-Organization-Id': ids.organizationId,
      'Audiohook-Session-Id': ids.sessionId,
      'Audiohook-Correlation-Id': ids.correlationId,
      'Signature-Input': signed['signature-input'],
      Signature: signed.signature,
    };
    const first = new AudioHookClient({ url: gw.url, apiKey: TEST_API_KEY, ...ids, headers });
    expect((await first.start()).type).toBe('opened');
    await first.close();
    const replay = new AudioHookClient({ url: gw.url, apiKey: TEST_API_KEY, ...ids, headers });
    expect(await replay.start()).toMatchObject({ type: 'disconnect', parameters: { reason: 'unauthorized' } });
  });
});

describe('upgrade with two Host fields', () => {
  it('is refused although its signature matches the first one', async () => {
    gw = await startTestGateway({ env: { AUTH_REJECTION: 'http401' } });
    const url = new URL(gw.url);
    const ids = { organizationId: crypto.randomUUID(), sessionId: crypto.randomUUID(), correlationId: crypto.randomUUID() };
    const sign = () =>
      signRequest({
        apiKey: TEST_API_KEY,
        secret: Buffer.from(TEST_CLIENT_SECRET, 'base64'),
        requestTarget: url.pathname,
        authority: url.host,
        ...ids,
      });
    const request = (hosts: string[], signed = sign()) =>
      [
        `GET ${url.pathname} HTTP/1.1`,
        ...hosts.map((h) => `Host: ${h}`),
        'Connection: Upgrade',
        'Upgrade: websocket',
        'Sec-WebSocket-Version: 13',
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
        `Audiohook-Organization-Id: ${ids.organizationId}`,
        `Audiohook-Session-Id: ${ids.sessionId}`,
        `Audiohook-Correlation-Id: ${ids.correlationId}`,
        `X-API-KEY: ${TEST_API_KEY}`,
        `Signature-Input: ${signed['signature-input']}`,
        `Signature: ${signed.signature}`,
        '',
        '',
      ].join('\r\n');
    const statusLine = (text: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = connect(Number(url.port), url.hostname, () => socket.write(text));
        socket.once('data', (data) => {
          resolve(data.toString().split('\r\n')[0]);
          socket.destroy();
        });
        socket.once('error', reject);
      });
    expect(await statusLine(request([url.host, 'evil.example.com']))).toBe('HTTP/1.1 401 Unauthorized');
    expect(await statusLine(request([url.host]))).toBe('HTTP/1.1 101 Switching Protocols');
  });
});

describe('upgrade checks and limits', () => {
  it('refuses other paths with 404 and a missing or malformed session id with 400', async () => {
    gw = await startTestGateway();
    const wrongPath = new AudioHookClient({ ...gw.clientOptions, url: gw.url.replace('/audiohook/ws', '/other') });
    await expect(wrongPath.connect()).rejects.toMatchObject({ status: 404 });
    const noId = new AudioHookClient({ ...gw.clientOptions, headers: { 'Audiohook-Session-Id': undefined } });
    await expect(noId.connect()).rejects.toMatchObject({ status: 400 });
    const badId = new AudioHookClient({ ...gw.clientOptions, headers: { 'Audiohook-Session-Id': 'not-a-uuid' } });
    await expect(badId.connect()).rejects.toMatchObject({ status: 400 });
  });

  it('refuses sessions beyond MAX_SESSIONS with 503', async () => {
    gw = await startTestGateway({ env: { MAX_SESSIONS: '2' } });
    const a = new AudioHookClient(gw.clientOptions);
    const b = new AudioHookClient(gw.clientOptions);
    await a.start();
    await b.start();
    const c = new AudioHookClient(gw.clientOptions);
    await expect(c.connect()).rejects.toMatchObject({ status: 503 });
    await a.close();
    await b.close();
  });

  it('closes a connection whose message exceeds 64 KiB, and keeps serving others', async () => {
    gw = await startTestGateway();
    const big = new AudioHookClient(gw.clientOptions);
    await big.start();
    big.sendRaw(new Uint8Array(64 * 1024 + 1));
    await big.socketClosed();
    expect(big.closeCode).toBe(1009);
    const next = new AudioHookClient(gw.clientOptions);
    expect((await next.start()).type).toBe('opened');
    await next.close();
  });

  it('drops a session the client abandons after the idle timeout', async () => {
    gw = await startTestGateway({ env: { IDLE_TIMEOUT_MS: '300' } });
    const c = new AudioHookClient(gw.clientOptions);
    await c.start();
    await c.socketClosed();
    await expect.poll(() => gw!.server.sessions.size).toBe(0);
  });

  it('serves /health for the load balancer', async () => {
    gw = await startTestGateway();
    const res = await fetch(`${gw.httpUrl}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', sessions: 0 });
    expect((await fetch(`${gw.httpUrl}/nope`)).status).toBe(404);
  });
});

describe('graceful drain (SIGTERM)', () => {
  it('refuses new sessions, disconnects live ones, lets them close, and reports none remaining', async () => {
    gw = await startTestGateway();
    const clients = [new AudioHookClient(gw.clientOptions), new AudioHookClient(gw.clientOptions)];
    for (const c of clients) {
      await c.start();
      await c.ping();
    }
    const drained = gw.server.drain(5_000);
    expect((await fetch(`${gw.httpUrl}/health`)).status).toBe(503);
    await expect(new AudioHookClient(gw.clientOptions).connect()).rejects.toMatchObject({ status: 503 });
    expect(await drained).toEqual({ remaining: 0 });
    for (const c of clients) {
      expect(c.received.find((m) => m.type === 'disconnect')?.parameters).toEqual({ reason: 'completed', info: 'server shutting down' });
      expect(c.received.at(-1)?.type).toBe('closed');
      expect(c.violations).toEqual([]);
    }
  });

  it('gives up at the deadline when a client never closes', async () => {
    gw = await startTestGateway();
    const c = new AudioHookClient(gw.clientOptions);
    await c.connect();
    // A client that ignores disconnect: it never opened, so it will not run the close transaction.
    expect(await gw.server.drain(300)).toEqual({ remaining: 1 });
    await c.drop();
  });
});
