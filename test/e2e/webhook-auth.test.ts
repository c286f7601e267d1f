import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_API_ID, DEV_API_SECRET } from '#local/dev-credentials.ts';
import { startStopApi } from '#local/simulator/control-api.ts';
import { simulateCall } from '#local/simulator/simulate-call.ts';
import { loadCallAudio } from '#local/simulator/wav-source.ts';
import type { LocalSystem } from '#local/system.ts';
import { audiohookConnection, EMBEDDED_EXACT, startTestSystem } from '#test/support/local-system.ts';
import { createTestPki, type TestPki } from '../integration/webhook/support/certs.ts';
import { startServer, type TestServer } from '../integration/webhook/support/servers.ts';

/**
 * A call through `npm start` delivers every utterance to the customer's own endpoint: HTTPS with a
 * certificate from the customer's CA (custom-CA mode) and a secret token header, exact body shape,
 * in order per participant.
 */

let pki: TestPki;
let target: TestServer;
let system: LocalSystem;

beforeAll(async () => {
  pki = createTestPki();
  target = await startServer({ cert: pki.server.cert, key: pki.server.key }, (_req, res) => res.writeHead(200).end());
  system = await startTestSystem({
    ...EMBEDDED_EXACT,
    WEBHOOK_URL: `${new URL(target.url).origin}/hooks/transcripts?tenant=acme`,
    WEBHOOK_AUTH_MODE: 'custom-ca+secret-token',
    WEBHOOK_CA_PEM: pki.serverCa.cert,
    WEBHOOK_SECRET_TOKEN_NAME: 'X-Transcript-Token',
    WEBHOOK_SECRET_TOKEN_LOCATION: 'header',
    WEBHOOK_SECRET_TOKEN_VALUE: 'not-a-real-secret-0123456789',
  });
}, 60_000);

afterAll(async () => {
  await system?.stop();
  await target?.close();
  pki?.cleanup();
});

describe('webhook delivery with authentication, end to end', () => {
  it('POSTs every utterance over TLS with the secret header, exact shape, in order per participant', async () => {
    const full = loadCallAudio('samples/sample-call.wav');
    // The first three turns (about 20 s) are enough here.
    const audio = { ...full, mulaw: full.mulaw.subarray(0, 20_000 * 16), durationMs: 20_000 };
    const api = startStopApi({ baseUrl: system.urls.api, apiId: DEV_API_ID, apiSecret: DEV_API_SECRET });
    let stop: any;
    const call = await simulateCall({
      ...audiohookConnection(system),
      audio,
      speed: 2,
      afterOpened: async (c) => void (await api.start({ guid: c.conversationId, customerId: 'CUST', agentId: 'AGENT' })),
      beforeClose: async (c) => void (stop = (await api.stop(c.conversationId)).body),
    });
    const guid = call.client.conversationId;
    const transcripts = stop.autotranscribeResponse.customer.summary.transcripts + stop.autotranscribeResponse.agent.summary.transcripts;
    expect(transcripts).toBeGreaterThanOrEqual(3);
    await expect.poll(() => target.requests.length, { timeout: 10_000 }).toBe(transcripts);
    for (const req of target.requests) {
      expect(req.method).toBe('POST');
      expect(req.url).toBe('/hooks/transcripts?tenant=acme');
      expect(req.headers['content-type']).toBe('application/json');
      expect(req.headers['x-transcript-token']).toBe('not-a-real-secret-0123456789');
      const body = JSON.parse(req.body);
      expect(Object.keys(body)).toEqual(['type', 'externalConversationId', 'streamId', 'sender', 'autotranscribeResponse']);
      expect(body.externalConversationId).toBe(guid);
      expect(body.streamId).toBe(stop.autotranscribeResponse[body.sender.role].streamId);
    }
    for (const role of ['customer', 'agent']) {
      const starts = target.requests
        .map((r) => JSON.parse(r.body))
        .filter((b) => b.sender.role === role)
        .map((b) => b.autotranscribeResponse.start);
      expect(starts.length).toBeGreaterThan(0);
      expect(starts).toEqual([...starts].sort((a, b) => a - b));
    }
  }, 120_000);
});
