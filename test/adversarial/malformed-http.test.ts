import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BODY_TIMEOUT_MS } from '#core/http/server.ts';
import { LiveCalls } from '#gateway/live-calls.ts';
import { ControlServer } from '#gateway/control-server.ts';
import type { ApiLambda } from '#core/contract/routes.ts';
import { LocalApiServer, type ProxyHandler } from '#local/api-server.ts';
import { WebhookReceiver } from '#local/webhook-receiver.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';

/**
 * A malformed-HTTP corpus against every listener we run: the local API, the gateway, the gateway's
 * control endpoint and the built-in webhook receiver. Each request is answered with a 4xx (in the
 * listener's own error shape) or its connection is closed; none can end the process (vitest fails the
 * run on any unhandled error) and each listener still serves a good request afterwards.
 */

interface Listener {
  name: string;
  port: number;
  /** A path of this listener that reads a request body. */
  bodyPath: string;
  /** A request that must still succeed after the corpus. */
  healthy: { method: string; path: string; body?: string; status: number };
  /** Whether 4xx answers carry a JSON body (the API's envelope, the control endpoint's error). */
  jsonErrors: 'envelope' | 'json' | 'none';
}

const listeners: Listener[] = [];
let gw: TestGateway;
let api: LocalApiServer;
let control: ControlServer;
let receiver: WebhookReceiver;

beforeAll(async () => {
  const handler: ProxyHandler = async (event) => ({ statusCode: 200, body: JSON.stringify({ path: event.path }) });
  api = new LocalApiServer({
    'start-streaming': handler,
    'stop-streaming': handler,
    'conversation-messages': handler,
    'conversation-recordings': handler,
    'file-exporter': handler,
    console: handler,
    'custom-vocabularies': handler,
  } satisfies Record<ApiLambda, ProxyHandler>);
  gw = await startTestGateway();
  control = new ControlServer(new LiveCalls());
  receiver = new WebhookReceiver(() => undefined);
  listeners.push(
    {
      name: 'api',
      port: (await api.listen(0, '127.0.0.1')).port,
      bodyPath: '/mg-autotranscribe/v1/start-streaming',
      healthy: { method: 'POST', path: '/mg-autotranscribe/v1/start-streaming', body: '{}', status: 200 },
      jsonErrors: 'envelope',
    },
    {
      name: 'gateway',
      port: Number(new URL(gw.httpUrl).port),
      bodyPath: '/health',
      healthy: { method: 'GET', path: '/health', status: 200 },
      jsonErrors: 'none',
    },
    {
      name: 'control',
      port: (await control.listen(0, '127.0.0.1')).port,
      bodyPath: '/control/v1/conversations/abc/start',
      healthy: { method: 'POST', path: '/control/v1/conversations/abc/stop', body: '{"sessionId":"s"}', status: 404 },
      jsonErrors: 'json',
    },
    {
      name: 'webhook receiver',
      port: (await receiver.listen(0, '127.0.0.1')).port,
      bodyPath: '/',
      healthy: { method: 'POST', path: '/', body: '{}', status: 400 },
      jsonErrors: 'none',
    },
  );
});

afterAll(async () => {
  await Promise.all([api?.close(), gw?.close(), control?.close(), receiver?.close()]);
});

interface RawResponse {
  status: number | undefined;
  head: string;
  body: string;
  elapsedMs: number;
}

/**
 * Writes `parts` to a fresh connection (pausing `gapMs` between them), optionally hangs up right
 * after, and collects whatever comes back until the server closes or `waitMs` passes.
 */
function raw(
  port: number,
  parts: Array<string | Buffer>,
  options: { hangUp?: boolean; waitMs?: number; gapMs?: number } = {},
): Promise<RawResponse> {
  return new Promise((resolve) => {
    const started = performance.now();
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      const [head, ...rest] = text.split('\r\n\r\n');
      const status = /^HTTP\/1\.1 (\d{3})/.exec(head)?.[1];
      const payload = rest.join('\r\n\r\n');
      const body = /transfer-encoding: chunked/i.test(head) ? dechunk(payload) : payload;
      resolve({ status: status ? Number(status) : undefined, head, body, elapsedMs: performance.now() - started });
    };
    const timer = setTimeout(done, options.waitMs ?? 1_000);
    socket.on('data', (c) => chunks.push(c));
    socket.on('close', done);
    socket.on('error', () => undefined);
    socket.on('connect', () => {
      void (async () => {
        for (const part of parts) {
          socket.write(part);
          if (options.gapMs) await new Promise((r) => setTimeout(r, options.gapMs));
        }
        if (options.hangUp) socket.destroy();
      })();
    });
  });
}

function dechunk(text: string): string {
  let out = '';
  for (let rest = text; ;) {
    const eol = rest.indexOf('\r\n');
    const size = parseInt(rest.slice(0, eol), 16);
    if (!(size > 0)) return out;
    out += rest.slice(eol + 2, eol + 2 + size);
    rest = rest.slice(eol + 4 + size);
  }
}

const request = (method: string, target: string, headers: string[] = [], body = '') =>
  `${method} ${target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n${headers.map((h) => `${h}\r\n`).join('')}\r\n${body}`;

/** The corpus: name → (listener) → request bytes. Each must get a 4xx answer or a closed connection. */
const CORPUS: Array<[string, (l: Listener) => Array<string | Buffer>]> = [
  ['an empty path segment target (GET //)', () => [request('GET', '//')]],
  ['a double-slash POST with a body', () => [request('POST', '//', ['Content-Length: 2'], '{}')]],
  ['invalid percent-encoding in a path parameter', () => [request('POST', '/fileexporter/v1/static/%ZZ', ['Content-Length: 2'], '{}')]],
  [
    'invalid percent-encoding in the control route',
    () => [request('POST', '/control/v1/conversations/%E0%A4%A/start', ['Content-Length: 2'], '{}')],
  ],
  ['an invalid percent-encoding anywhere', () => [request('GET', '/%ZZ?%ZZ=%ZZ')]],
  ['an absolute-form target', () => [request('GET', 'http://evil.example/health')]],
  ['an asterisk target', () => [request('OPTIONS', '*')]],
  ['a target that is not a path', () => [request('GET', 'health')]],
  ['a declared body far above the limit', (l) => [request('POST', l.bodyPath, ['Content-Length: 999999999999'])]],
  ['a body above the limit, sent', (l) => [request('POST', l.bodyPath, ['Content-Length: 11000000']), Buffer.alloc(11_000_000, 0x20)]],
  ['a malformed Content-Length', (l) => [request('POST', l.bodyPath, ['Content-Length: ten'], '{}')]],
  [
    'Content-Length and Transfer-Encoding together',
    (l) => [request('POST', l.bodyPath, ['Content-Length: 2', 'Transfer-Encoding: chunked'], '{}')],
  ],
  ['a broken chunked body', (l) => [request('POST', l.bodyPath, ['Transfer-Encoding: chunked'], 'zz\r\nnope\r\n0\r\n\r\n')]],
  ['a NUL byte in a header value', () => [request('GET', '/health', ['X-Bad: a\u0000b'])]],
  ['a header line without a colon', () => [request('GET', '/health', ['NoColonHere'])]],
  ['a 100 KB target', () => [request('GET', `/${'a'.repeat(100_000)}`)]],
  [
    'a thousand headers',
    () => [
      request(
        'GET',
        '/health',
        Array.from({ length: 1000 }, (_, i) => `X-H${i}: ${i}`),
      ),
    ],
  ],
  ['a TLS ClientHello on the plain port', () => [Buffer.from('16030100a5010000a10303', 'hex')]],
  ['binary garbage', () => [Buffer.from([0, 1, 2, 255, 254, 13, 10, 13, 10])]],
  ['an unknown method', () => [request('BREW', '/health')]],
  ['an HTTP/0.9 request', () => ['GET /\r\n']],
  ['an upgrade to an unknown protocol', () => [request('GET', '/health', ['Connection: Upgrade', 'Upgrade: h2c'])]],
  ['a non-JSON body', (l) => [request('POST', l.bodyPath, ['Content-Length: 5'], 'nope!')]],
  ['a JSON body of the wrong shape', (l) => [request('POST', l.bodyPath, ['Content-Length: 7'], '[1,2,3]')]],
];

function expectRefused(response: RawResponse, listener: Listener): void {
  if (response.status === undefined) return; // the connection was closed: acceptable for unparseable bytes
  expect(response.status, response.head).toBeGreaterThanOrEqual(200);
  expect(response.status, response.head).toBeLessThan(500);
  if (response.status >= 400 && listener.jsonErrors === 'envelope' && response.body.length > 0) {
    expect(JSON.parse(response.body)).toMatchObject({ error: { code: expect.stringMatching(/^4\d\d-\d+$/) } });
  }
}

describe.each(['api', 'gateway', 'control', 'webhook receiver'])('the %s listener', (name) => {
  const listener = () => listeners.find((l) => l.name === name)!;

  it.each(CORPUS)('answers %s with a 4xx or a closed connection', async (_case, build) => {
    expectRefused(await raw(listener().port, build(listener())), listener());
  });

  it('survives a client that sends part of a body and hangs up (once killed npm start)', async () => {
    const l = listener();
    const hungUp = await Promise.all(
      Array.from({ length: 20 }, () =>
        raw(l.port, [request('POST', l.bodyPath, ['Content-Length: 10'], '{"a"')], { hangUp: true, waitMs: 200 }),
      ),
    );
    expect(hungUp).toHaveLength(20);
    await new Promise((r) => setTimeout(r, 100));
  });

  it('still serves a good request after all of that', async () => {
    const { healthy, port } = listener();
    const res = await fetch(`http://127.0.0.1:${port}${healthy.path}`, { method: healthy.method, body: healthy.body });
    expect(res.status).toBe(healthy.status);
  });
});

describe('a body that stalls', () => {
  it(`is answered within ${BODY_TIMEOUT_MS / 1000} s on every listener, in its own error shape, and closed (once hung 326 s)`, async () => {
    await Promise.all(
      listeners.map(async (l) => {
        const response = await raw(l.port, [request('POST', l.bodyPath, ['Content-Length: 100'], '{"partial":')], {
          waitMs: BODY_TIMEOUT_MS + 5_000,
        });
        expect(response.elapsedMs, l.name).toBeLessThan(BODY_TIMEOUT_MS + 3_000);
        if (l.name === 'gateway') return; // reads no bodies: answered at once
        expect(response.status, l.name).toBe(408);
        if (l.jsonErrors === 'envelope') expect(JSON.parse(response.body)).toMatchObject({ error: { code: '408-01' } });
      }),
    );
  }, 30_000);
});
