import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulateCall } from '#local/simulator/simulate-call.ts';
import { loadCallAudio, type CallAudio } from '#local/simulator/wav-source.ts';
import type { LocalSystem } from '#local/system.ts';
import { audiohookConnection, EMBEDDED_EXACT, startTestSystem } from '#test/support/local-system.ts';

/**
 * The console's API routes on the system `npm start` runs: a call is played with the embedded engine,
 * started and stopped through the console routes (no ASAPP secret anywhere), and the live list,
 * health and cursor reads are checked while and after it runs.
 */

let system: LocalSystem;
let audio: CallAudio;

beforeAll(async () => {
  system = await startTestSystem({
    ...EMBEDDED_EXACT,
    LIVE_PUBLISH_INTERVAL_MS: '250',
  });
  const full = loadCallAudio('samples/sample-call.wav');
  // The first 24 s of the sample call: three turns each way, enough for every check.
  audio = { ...full, mulaw: full.mulaw.subarray(0, 24 * 8000 * full.channels) };
}, 60_000);

afterAll(async () => {
  await system?.stop();
});

async function consoleGet(path: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${system.urls.api}${path}`);
  return { status: res.status, body: await res.json() };
}

async function consolePost(path: string, body: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${system.urls.api}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('console API on the local system', () => {
  it('lists the live call, starts and stops it, reports health and reads messages after a cursor', async () => {
    const seen: { live?: any; afterStart?: any; liveMessages?: any } = {};
    const result = await simulateCall({
      ...audiohookConnection(system),
      speed: 2,
      audio,
      afterOpened: async (client) => {
        const id = client.conversationId.toLowerCase();
        seen.live = await until(
          () => consoleGet('/console/v1/live-calls'),
          (r) => r.body.calls?.some((c: any) => c.conversationId === id),
        );
        seen.afterStart = await consolePost('/console/v1/start-streaming', {
          namespace: 'genesysaudiohook',
          guid: client.conversationId,
          customerId: 'C-1',
          agentId: 'A-1',
        });
        // Utterances become readable while the call runs.
        seen.liveMessages = await until(
          () => consoleGet(`/console/v1/conversations/${id}/messages`),
          (r) => r.body.items?.length > 0,
          30_000,
        );
      },
      beforeClose: async (client) => {
        const stop = await consolePost('/console/v1/stop-streaming', { namespace: 'genesysaudiohook', guid: client.conversationId });
        expect(stop.status).toBe(200);
        expect(stop.body.isOk).toBe(true);
      },
    });
    const id = result.client.conversationId.toLowerCase();

    expect(seen.live.status).toBe(200);
    const listed = seen.live.body.calls.find((c: any) => c.conversationId === id);
    expect(listed).toMatchObject({ state: 'open', probe: false, transcription: null });
    expect(listed.participants.map((p: any) => p.role)).toEqual(['customer', 'agent']);
    expect(listed.openLatencyMs).toBeGreaterThanOrEqual(0);
    expect(listed.openLatencyMs).toBeLessThan(5_000);

    expect(seen.afterStart.status).toBe(200);
    expect(seen.afterStart.body.isOk).toBe(true);
    expect(seen.liveMessages.status).toBe(200);

    // After the call: the session left the live list, and its health tells the whole story.
    const live = await until(
      () => consoleGet('/console/v1/live-calls'),
      (r) => !r.body.calls.some((c: any) => c.conversationId === id),
    );
    expect(live.body.calls.some((c: any) => c.conversationId === id)).toBe(false);
    const health = await until(
      () => consoleGet(`/console/v1/conversations/${id}/health`),
      (r) => r.body.deliveries?.pending === 0 && r.body.session?.state === 'closed',
    );
    expect(health.status).toBe(200);
    expect(health.body.startStreamingCalled).toBe(true);
    expect(health.body.session).toMatchObject({ state: 'closed', probe: false, pauses: 0, recognizerErrors: [] });
    expect(health.body.session.receivedMs.customer).toBe(24_000);
    const { deliveries } = health.body;
    expect(deliveries.items.length).toBeGreaterThanOrEqual(4);
    expect(deliveries.delivered).toBe(deliveries.items.length);
    expect(deliveries.failed + deliveries.dropped).toBe(0);
    expect(deliveries.items.every((i: any) => i.delivery.status >= 200 && i.delivery.status < 300 && i.delivery.attempt === 1)).toBe(true);
    expect(health.body.session.utterances).toBe(deliveries.items.length);

    // Cursor reads: everything, then nothing new after the last cursor (only the re-read window).
    const all = await consoleGet(`/console/v1/conversations/${id}/messages`);
    expect(all.body.items.map((m: any) => m.messageId)).toEqual(deliveries.items.map((i: any) => i.messageId));
    expect(all.body.items[0]).toMatchObject({
      role: expect.stringMatching(/customer|agent/),
      startMs: expect.any(Number),
      redactionOutput: 'redacted',
    });
    const after = await consoleGet(`/console/v1/conversations/${id}/messages?after=${all.body.cursor}`);
    expect(after.status).toBe(200);
    expect(after.body.cursor).toBe(all.body.cursor);
    const ids = new Set(all.body.items.map((m: any) => m.messageId));
    expect(after.body.items.every((m: any) => ids.has(m.messageId))).toBe(true);
  }, 120_000);

  it('answers bad input with the error envelope', async () => {
    const badCursor = await consoleGet('/console/v1/conversations/abc/messages?after=not-a-cursor');
    expect(badCursor.status).toBe(400);
    expect(badCursor.body.error).toMatchObject({ code: '400-01', requestId: expect.any(String) });
    const badLimit = await consoleGet('/console/v1/conversations/abc/messages?limit=100000');
    expect(badLimit.status).toBe(400);
    const unknown = await consoleGet('/console/v1/conversations/no-such-call/health');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('404-01');
    const badStart = await consolePost('/console/v1/start-streaming', { guid: '' });
    expect(badStart.status).toBe(400);
    const noCall = await consolePost('/console/v1/stop-streaming', { namespace: 'genesysaudiohook', guid: 'no-such-call' });
    expect(noCall.body.error.code).toBe('400-203');
  });

  it('serves no console route to a non-loopback caller and never takes the ASAPP pair instead', async () => {
    const { createConsoleHandler } = await import('#lambdas/console/handler.ts');
    const { apiGatewayEvent } = await import('#local/apigw-event.ts');
    const { DEV_API_ID, DEV_API_SECRET } = await import('#local/dev-credentials.ts');
    const { createConsoleRuntime } = await import('#lambdas/console/runtime.ts');
    const { createApiRuntime } = await import('#lambdas/shared/runtime.ts');
    const api = createApiRuntime(process.env);
    const handler = createConsoleHandler(() => createConsoleRuntime({ ...process.env, CONSOLE_AUTH: 'loopback' }, () => api));
    const event = apiGatewayEvent({
      method: 'GET',
      path: '/console/v1/live-calls',
      resource: '/console/v1/live-calls',
      headers: { 'asapp-api-id': DEV_API_ID, 'asapp-api-secret': DEV_API_SECRET },
    });
    const remote = await handler(event);
    expect(remote.statusCode).toBe(401);
    event.requestContext.identity.sourceIp = '127.0.0.1';
    expect((await handler(event)).statusCode).toBe(200);
  });
});
