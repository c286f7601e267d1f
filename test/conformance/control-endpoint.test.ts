import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signControlRequest } from '#core/api/control-auth.ts';
import { controlPath } from '#core/api/gateway-control.ts';
import { startResponse } from '#core/api/responses.ts';
import { ControlServer } from '#gateway/control-server.ts';
import { AudioHookClient } from '#local/simulator/client.ts';
import { startTestGateway, TEST_SETTINGS, type TestGateway } from '../support/gateway.ts';

/** The gateway's private control endpoint over HTTP, against live AudioHook sessions. */

let gw: TestGateway;
let control: ControlServer;
let base: string;
beforeAll(async () => {
  gw = await startTestGateway();
  control = new ControlServer(gw.server.calls);
  const address = await control.listen(0, '127.0.0.1');
  base = `http://127.0.0.1:${address.port}`;
});
afterAll(async () => {
  await control.close();
  await gw.close();
});

const startBody = (sessionId: string, guid: string) => ({
  sessionId,
  settings: TEST_SETTINGS,
  customerStreamId: 'cs-1',
  agentStreamId: 'as-1',
  externalConversationId: guid,
  tenant: 'acme',
});

async function post(path: string, body: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(base + path, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

describe('control endpoint', () => {
  it('starts and stops transcription of a live call and reports per participant', async () => {
    const c = new AudioHookClient(gw.clientOptions);
    await c.start();
    const started = await post(controlPath(c.conversationId.toUpperCase(), 'start'), startBody(c.sessionId, c.conversationId));
    expect(started).toEqual({
      status: 200,
      body: {
        customer: { streamId: 'cs-1', status: { code: 1000, description: 'OK' } },
        agent: { streamId: 'as-1', status: { code: 1000, description: 'OK' } },
      },
    });
    expect(await post(controlPath(c.conversationId, 'start'), startBody(c.sessionId, c.conversationId))).toEqual({
      status: 409,
      body: { error: 'running' },
    });
    c.sendAudio(new Uint8Array(3_200));
    await c.ping();
    const stopped = await post(controlPath(c.conversationId, 'stop'), { sessionId: c.sessionId });
    expect(stopped.status).toBe(200);
    expect(stopped.body.customer.summary).toEqual({
      totalAudioBytes: 3_200,
      audioDurationMs: 200,
      streamingSeconds: expect.any(Number),
      transcripts: 0,
    });
    expect(await post(controlPath(c.conversationId, 'stop'), { sessionId: c.sessionId })).toEqual({
      status: 409,
      body: { error: 'not-running' },
    });
    await c.close();
    expect(await post(controlPath(c.conversationId, 'start'), startBody(c.sessionId, c.conversationId))).toEqual({
      status: 404,
      body: { error: 'no-session' },
    });
  });

  it('names a participant whose channel is absent, and keeps nothing running when no one can be transcribed', async () => {
    const c = new AudioHookClient({ ...gw.clientOptions, media: [{ type: 'audio', format: 'PCMU', channels: ['external'], rate: 8000 }] });
    await c.start();
    const started = await post(controlPath(c.conversationId, 'start'), startBody(c.sessionId, c.conversationId));
    expect(started.body.agent).toEqual({
      streamId: 'as-1',
      status: { code: 4080, description: 'Unable to transcribe the audio' },
      message: 'channel not present in the AudioHook session',
    });
    // The public answer names the participant once (it read "agent: agent: …").
    expect(startResponse(started.body).errorMessage).toBe('agent: channel not present in the AudioHook session');
    await c.close();
    const silent = new AudioHookClient({
      ...gw.clientOptions,
      media: [{ type: 'audio', format: 'L16', channels: ['external'], rate: 8000 }],
    });
    await silent.start();
    const none = await post(controlPath(silent.conversationId, 'start'), startBody(silent.sessionId, silent.conversationId));
    expect(none.status).toBe(200);
    expect(none.body.customer.status.code).toBe(4080);
    expect(await post(controlPath(silent.conversationId, 'stop'), { sessionId: silent.sessionId })).toEqual({
      status: 409,
      body: { error: 'not-running' },
    });
    await silent.close();
  });

  it('answers bad requests with 400 and unknown routes with 404, and never crashes', async () => {
    expect((await post('/control/v1/conversations/x/start', 'not json')).status).toBe(400);
    expect((await post('/control/v1/conversations/x/start', { settings: {} })).status).toBe(400);
    expect((await post('/control/v1/conversations/x/start', startBody('s', 'x'))).status).toBe(404);
    expect((await post('/control/v1/conversations/x/pause', {})).status).toBe(404);
    expect((await fetch(`${base}/control/v1/conversations/x/start`)).status).toBe(404);
    expect((await post('/control/v1/conversations/x/stop', 'x'.repeat(20_000))).status).toBe(413);
  });
});

describe('control endpoint authentication and policy', () => {
  const SECRET = 'a-control-secret-of-at-least-32-characters';
  let guarded: ControlServer;
  let guardedBase: string;
  beforeAll(async () => {
    guarded = new ControlServer(gw.server.calls, { secret: SECRET, redaction: { defaultMode: 'default', byTenant: { strict: 'always' } } });
    guardedBase = `http://127.0.0.1:${(await guarded.listen(0, '127.0.0.1')).port}`;
  });
  afterAll(() => guarded.close());

  const send = async (path: string, body: unknown, headers: Record<string, string>) => {
    const res = await fetch(guardedBase + path, { method: 'POST', body: JSON.stringify(body), headers });
    return { status: res.status, body: await res.json() };
  };

  it('refuses unsigned, wrongly signed, altered and stale requests with 401, and serves signed ones', async () => {
    const c = new AudioHookClient(gw.clientOptions);
    await c.start();
    const path = controlPath(c.conversationId, 'start');
    const body = startBody(c.sessionId, c.conversationId);
    const text = JSON.stringify(body);
    expect(await send(path, body, {})).toEqual({ status: 401, body: { error: 'unauthorized' } });
    expect((await send(path, body, signControlRequest('another-secret-that-is-long-enough-too', 'POST', path, text))).status).toBe(401);
    expect((await send(path, { ...body, tenant: 'other' }, signControlRequest(SECRET, 'POST', path, text))).status).toBe(401);
    expect((await send(controlPath(c.conversationId, 'stop'), body, signControlRequest(SECRET, 'POST', path, text))).status).toBe(401);
    expect((await send(path, body, signControlRequest(SECRET, 'POST', path, text, Date.now() - 120_000))).status).toBe(401);
    expect((await send(path, body, signControlRequest(SECRET, 'POST', path, text))).status).toBe(200);
    await c.close();
  });

  it('re-applies the tenant redaction policy: unredacted output for an always-redact tenant is refused', async () => {
    const c = new AudioHookClient(gw.clientOptions);
    await c.start();
    const path = controlPath(c.conversationId, 'start');
    const body = {
      ...startBody(c.sessionId, c.conversationId),
      tenant: 'strict',
      settings: { ...TEST_SETTINGS, redactionOutput: 'unredacted' },
    };
    const refused = await send(path, body, signControlRequest(SECRET, 'POST', path, JSON.stringify(body)));
    expect(refused).toEqual({ status: 400, body: { error: 'bad-request', message: 'this tenant is configured to always redact' } });
    expect(gw.server.calls.find(c.conversationId)?.isTranscribing).toBe(false);
    await c.close();
  });
});
