import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGatewayControlClient, GatewayUnavailableError } from '#core/api/gateway-control-client.ts';
import type { ControlStartRequest } from '#core/api/gateway-control.ts';

/** The client against a real HTTP server answering whatever the test scripts. */
let server: Server;
let base: string;
let next: { status: number; body: string; delayMs?: number } = { status: 200, body: '{}' };
const seen: Array<{ method?: string; url?: string; type?: string; body: string }> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    void (async () => {
      let body = '';
      for await (const chunk of req) body += chunk;
      seen.push({ method: req.method, url: req.url, type: req.headers['content-type'], body });
      if (next.delayMs) await new Promise((r) => setTimeout(r, next.delayMs));
      res.writeHead(next.status, { 'content-type': 'application/json' }).end(next.body);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const startRequest: ControlStartRequest = {
  sessionId: 's-1',
  settings: {
    language: 'en-US',
    detailedToken: false,
    redactionOutput: 'redacted',
    audioRecordingAllowed: false,
    customerId: 'c',
    agentId: 'a',
  },
  customerStreamId: 'cs',
  agentStreamId: 'as',
  externalConversationId: 'ABC',
  tenant: 't',
};
const stream = { streamId: 'cs', status: { code: 1000, description: 'OK' } };
const summary = { totalAudioBytes: 16, audioDurationMs: 1, streamingSeconds: 1, transcripts: 0 };
const client = createGatewayControlClient({ startTimeoutMs: 300, stopTimeoutMs: 300 });

describe('gateway control client', () => {
  it('POSTs JSON to the contract path (id encoded, trailing slash of the base ignored) and returns the results', async () => {
    next = { status: 200, body: JSON.stringify({ customer: stream, agent: { ...stream, streamId: 'as' } }) };
    const outcome = await client.start(`${base}/`, 'abc/def', startRequest);
    expect(outcome).toEqual({ kind: 'ok', results: { customer: stream, agent: { ...stream, streamId: 'as' } } });
    expect(seen.at(-1)).toEqual({
      method: 'POST',
      url: '/control/v1/conversations/abc%2Fdef/start',
      type: 'application/json',
      body: JSON.stringify(startRequest),
    });
  });

  it('stop returns summaries', async () => {
    next = { status: 200, body: JSON.stringify({ customer: { ...stream, summary }, agent: { ...stream, summary } }) };
    const outcome = await client.stop(base, 'abc', { sessionId: 's-1' });
    expect(outcome.kind).toBe('ok');
    expect(seen.at(-1)?.url).toBe('/control/v1/conversations/abc/stop');
  });

  it.each([
    [404, 'no-session'],
    [409, 'closing'],
    [409, 'running'],
    [409, 'not-running'],
  ])('HTTP %i {"error":"%s"} is an answer, not a failure', async (status, error) => {
    next = { status, body: JSON.stringify({ error }) };
    expect(await client.stop(base, 'abc', { sessionId: 's' })).toEqual({ kind: error });
  });

  it.each([
    ['HTTP 500', { status: 500, body: '{"error":"closing"}' }],
    ['HTTP 404 without the contract body', { status: 404, body: 'Not Found' }],
    ['HTTP 409 with an unknown error', { status: 409, body: '{"error":"busy"}' }],
    ['200 that is not JSON', { status: 200, body: '<html>' }],
    ['200 missing a participant', { status: 200, body: JSON.stringify({ customer: stream }) }],
    [
      '200 status code as a string',
      { status: 200, body: JSON.stringify({ customer: { ...stream, status: { code: '1000', description: 'OK' } }, agent: stream }) },
    ],
    ['stop 200 without summary', { status: 200, body: JSON.stringify({ customer: stream, agent: stream }) }],
    ['timeout', { status: 200, body: '{}', delayMs: 600 }],
  ])('%s → GatewayUnavailableError', async (_name, answer) => {
    next = answer;
    await expect(client.stop(base, 'abc', { sessionId: 's' })).rejects.toBeInstanceOf(GatewayUnavailableError);
  });

  it('connection refused → GatewayUnavailableError', async () => {
    await expect(client.start('http://127.0.0.1:9', 'abc', startRequest)).rejects.toBeInstanceOf(GatewayUnavailableError);
  });
});
