import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDocumentClient, dynamoDbDocumentClient } from '#core/aws/clients.ts';
import { createConversationsStore, type ConversationsStore } from '#core/stores/conversations.ts';
import { handler as start, createStartStreamingHandler } from '#lambdas/start-streaming/handler.ts';
import { REGISTRATION_WAIT_MS } from '#core/api/start-streaming.ts';
import { handler as stop, createStopStreamingHandler } from '#lambdas/stop-streaming/handler.ts';
import { createConversationMessagesHandler } from '#lambdas/conversation-messages/handler.ts';
import { createApiRuntime } from '#lambdas/shared/runtime.ts';
import { useEmulators } from '#test/support/emulators.ts';
import { startControlDouble, type ControlDouble } from '#test/support/gateway-control-double.ts';
import { MESSAGES_PATH, START_PATH, STOP_PATH, UUID_V4, call, configureApiEnv, expectError, startBody, stopBody } from './api-test-kit.ts';

const emulators = useEmulators({ prefix: 'startstop' });
let double: ControlDouble;
let store: ConversationsStore;

beforeAll(async () => {
  configureApiEnv();
  store = createConversationsStore({ client: dynamoDbDocumentClient(), tableName: emulators().tables.conversations, retentionDays: 7 });
  double = await startControlDouble(store);
});
afterAll(() => double.close());
beforeEach(() => {
  double.misbehave = undefined;
  double.startStatuses = {};
  double.delayMs = 0;
});

const startCall = (guid: string, extra?: Record<string, unknown>, path = START_PATH) => call(start, { path, body: startBody(guid, extra) });
const stopCall = (guid: string, path = STOP_PATH) => call(stop, { path, body: stopBody(guid) });

async function liveCall(): Promise<string> {
  const guid = randomUUID();
  await double.openSession(guid);
  return guid;
}

describe('start-streaming', () => {
  it('starts a live call: 200, isOk, fresh lower-case v4 stream ids, keys in contract order', async () => {
    const guid = await liveCall();
    const result = await startCall(guid);
    expect(result.status).toBe(200);
    expect(result.raw.headers?.['Content-Type']).toBe('application/json');
    expect(Object.keys(result.body)).toEqual(['isOk', 'autotranscribeResponse']);
    expect(Object.keys(result.body.autotranscribeResponse)).toEqual(['customer', 'agent']);
    const { customer, agent } = result.body.autotranscribeResponse;
    expect(Object.keys(customer)).toEqual(['streamId', 'status']);
    expect(Object.keys(customer.status)).toEqual(['code', 'description']);
    expect(result.body.isOk).toBe(true);
    expect(customer.status).toEqual({ code: 1000, description: 'OK' });
    expect(agent.status).toEqual({ code: 1000, description: 'OK' });
    expect(customer.streamId).toMatch(UUID_V4);
    expect(agent.streamId).toMatch(UUID_V4);
    expect(customer.streamId).not.toBe(agent.streamId);
    expect(result.raw.body).toBe(JSON.stringify(result.body)); // compact
  });

  it('finds a call whose registration lands after the start arrived (start sent the moment opened came)', async () => {
    const guid = randomUUID();
    const started = startCall(guid);
    await new Promise((r) => setTimeout(r, 300));
    await double.openSession(guid);
    const result = await started;
    expect(result.status).toBe(200);
    expect(result.body.isOk).toBe(true);
  });

  it(`answers 400-203 for a call still unknown after ${REGISTRATION_WAIT_MS} ms, not sooner`, async () => {
    const t0 = performance.now();
    expectError(await startCall(randomUUID()), 400, '400-203');
    const elapsed = performance.now() - t0;
    expect(elapsed).toBeGreaterThanOrEqual(REGISTRATION_WAIT_MS - 50);
    expect(elapsed).toBeLessThan(REGISTRATION_WAIT_MS + 2_000);
  });

  it('sends the gateway the settings with defaults applied, the guid as sent and the tenant', async () => {
    const guid = await liveCall();
    await startCall(guid, { autotranscribeParams: { language: 'ES-us' } });
    const request = double.requests.at(-1)!;
    expect(request.action).toBe('start');
    expect(request.conversationId).toBe(guid);
    expect(request.body).toMatchObject({
      sessionId: double.sessions.get(guid)!.sessionId,
      settings: {
        language: 'es-US',
        detailedToken: false,
        redactionOutput: 'redacted',
        audioRecordingAllowed: false,
        customerId: 'CUST-1',
        agentId: 'AGENT-1',
      },
      externalConversationId: guid,
      tenant: 'acme',
    });
    const stored = await store.getConversation(guid);
    expect(stored).toMatchObject({ transcription: 'running', settings: { language: 'es-US' } });
  });

  it("sends no language when the start names none: the gateway takes the call's own", async () => {
    const guid = await liveCall();
    await startCall(guid);
    expect(double.requests.at(-1)!.body).toMatchObject({ settings: { detailedToken: false } });
    expect((double.requests.at(-1)!.body as { settings: Record<string, unknown> }).settings).not.toHaveProperty('language');
  });

  it('matches the guid case-insensitively and keeps it as sent for the utterances', async () => {
    const guid = await liveCall();
    const upper = guid.toUpperCase();
    const result = await startCall(upper);
    expect(result.status).toBe(200);
    expect(double.requests.at(-1)).toMatchObject({ conversationId: guid, body: { externalConversationId: upper } });
    expect((await stopCall(upper)).status).toBe(200);
  });

  it('accepts the paths with a trailing slash', async () => {
    const guid = await liveCall();
    expect((await startCall(guid, {}, `${START_PATH}/`)).status).toBe(200);
    expect((await stopCall(guid, `${STOP_PATH}/`)).status).toBe(200);
  });

  it('400-203 for an unknown guid, an ended call and a connection probe', async () => {
    expectError(await startCall(randomUUID()), 400, '400-203');
    const ended = await liveCall();
    await double.endCall(ended);
    expectError(await startCall(ended), 400, '400-203');
    const probe = '00000000-0000-0000-0000-000000000000';
    await store.registerSession({ conversationId: probe, sessionId: randomUUID(), gatewayUrl: double.url });
    const before = double.requests.length;
    expectError(await startCall(probe), 400, '400-203');
    expectError(await stopCall(probe), 400, '400-203');
    expect(double.requests.length).toBe(before);
  });

  it('409-201 when already running, without asking the gateway', async () => {
    const guid = await liveCall();
    expect((await startCall(guid)).status).toBe(200);
    const before = double.requests.length;
    const again = await startCall(guid);
    expectError(again, 409, '409-201');
    expect(double.requests.length).toBe(before);
  });

  it('409-203 while the AudioHook session is closing', async () => {
    const guid = await liveCall();
    await double.beginClose(guid);
    expectError(await startCall(guid), 409, '409-203');
  });

  it('200 isOk:false with per-participant status when a stream cannot open; the span still runs', async () => {
    const guid = await liveCall();
    double.startStatuses = { agent: { code: 4080, message: 'channel not present in the AudioHook session' } };
    const result = await startCall(guid);
    expect(result.status).toBe(200);
    expect(Object.keys(result.body)).toEqual(['isOk', 'errorMessage', 'autotranscribeResponse']);
    expect(result.body.isOk).toBe(false);
    expect(result.body.errorMessage).toBe('agent: channel not present in the AudioHook session');
    expect(result.body.autotranscribeResponse.customer.status).toEqual({ code: 1000, description: 'OK' });
    expect(result.body.autotranscribeResponse.agent.status).toEqual({ code: 4080, description: 'Unable to transcribe the audio' });
    expect(result.body.autotranscribeResponse.agent.streamId).toMatch(UUID_V4);
    expect((await stopCall(guid)).status).toBe(200);
  });

  it('when no stream opens nothing runs, so the caller can start again', async () => {
    const guid = await liveCall();
    double.startStatuses = { customer: { code: 5002 }, agent: { code: 5002 } };
    const failed = await startCall(guid);
    expect(failed.status).toBe(200);
    expect(failed.body.isOk).toBe(false);
    expect(failed.body.errorMessage).toBe('customer: No instances available; agent: No instances available');
    double.startStatuses = {};
    expect((await startCall(guid)).body.isOk).toBe(true);
  });

  it('400-203 when the gateway no longer knows the session, and remembers the call as ended', async () => {
    const guid = await liveCall();
    double.forget(guid);
    expectError(await startCall(guid), 400, '400-203');
    expect((await store.getConversation(guid))?.sessionState).toBe('closed');
  });

  it('repairs the table when the gateway reports a span it did not know about', async () => {
    const guid = await liveCall();
    double.sessions.get(guid)!.running = true;
    double.sessions.get(guid)!.start = { customerStreamId: 'c', agentStreamId: 'a' } as never;
    expectError(await startCall(guid), 409, '409-201');
    expect((await store.getConversation(guid))?.transcription).toBe('running');
    expect((await stopCall(guid)).status).toBe(200);
  });
});

describe('stop-streaming', () => {
  it('stops a running span: summary per participant with the start stream ids, keys in contract order', async () => {
    const guid = await liveCall();
    double.summary = { totalAudioBytes: 1_334_720, audioDurationMs: 83_420, streamingSeconds: 84, transcripts: 2 };
    const started = await startCall(guid);
    const stopped = await stopCall(guid);
    expect(stopped.status).toBe(200);
    expect(stopped.body.isOk).toBe(true);
    const { customer, agent } = stopped.body.autotranscribeResponse;
    expect(Object.keys(customer)).toEqual(['streamId', 'status', 'summary']);
    expect(Object.keys(customer.summary)).toEqual(['totalAudioBytes', 'audioDurationMs', 'streamingSeconds', 'transcripts']);
    expect(customer.streamId).toBe(started.body.autotranscribeResponse.customer.streamId);
    expect(agent.streamId).toBe(started.body.autotranscribeResponse.agent.streamId);
    expect(customer.summary).toEqual({ totalAudioBytes: 1_334_720, audioDurationMs: 83_420, streamingSeconds: 84, transcripts: 2 });
    expect(double.requests.at(-1)).toMatchObject({ action: 'stop', body: { sessionId: double.sessions.get(guid)!.sessionId } });
  });

  it('start, start → 409-201, stop, stop → 409-201', async () => {
    const guid = await liveCall();
    expect((await startCall(guid)).status).toBe(200);
    expectError(await startCall(guid), 409, '409-201');
    expect((await stopCall(guid)).status).toBe(200);
    expectError(await stopCall(guid), 409, '409-201');
  });

  it('start/stop repeated: new stream ids every start, stop reports the ids of its span', async () => {
    const guid = await liveCall();
    const seen = new Set<string>();
    for (let i = 0; i < 4; i++) {
      const started = await startCall(guid);
      expect(started.status).toBe(200);
      const { customer, agent } = started.body.autotranscribeResponse;
      for (const id of [customer.streamId, agent.streamId]) {
        expect(seen.has(id)).toBe(false);
        seen.add(id);
      }
      const stopped = await stopCall(guid);
      expect(stopped.status).toBe(200);
      expect(stopped.body.autotranscribeResponse.customer.streamId).toBe(customer.streamId);
      expect(stopped.body.autotranscribeResponse.agent.streamId).toBe(agent.streamId);
    }
    expect(seen.size).toBe(8);
  });

  it('409-201 when never started; 400-203 for a guid never seen', async () => {
    expectError(await stopCall(await liveCall()), 409, '409-201');
    expectError(await stopCall(randomUUID()), 400, '400-203');
  });

  it('409-203 while the session is closing', async () => {
    const guid = await liveCall();
    await startCall(guid);
    await double.beginClose(guid);
    expectError(await stopCall(guid), 409, '409-203');
  });

  it('a span that ended with the call: the final summaries are returned once, then 409-201', async () => {
    const guid = await liveCall();
    double.summary = { totalAudioBytes: 32_000, audioDurationMs: 2_000, streamingSeconds: 3, transcripts: 1 };
    const started = await startCall(guid);
    await double.beginClose(guid);
    await double.endCall(guid);
    const before = double.requests.length;
    const first = await stopCall(guid);
    expect(first.status).toBe(200);
    expect(first.body.isOk).toBe(true);
    expect(first.body.autotranscribeResponse.customer).toEqual({
      streamId: started.body.autotranscribeResponse.customer.streamId,
      status: { code: 1000, description: 'OK' },
      summary: { totalAudioBytes: 32_000, audioDurationMs: 2_000, streamingSeconds: 3, transcripts: 1 },
    });
    expectError(await stopCall(guid), 409, '409-201');
    expect(double.requests.length).toBe(before);
    expectError(await startCall(guid), 400, '400-203');
  });

  it('the call ends while the stop is on its way: the summary the gateway left is returned', async () => {
    const guid = await liveCall();
    await startCall(guid);
    double.misbehave = 'ends-call';
    const result = await stopCall(guid);
    expect(result.status).toBe(200);
    expect(result.body.autotranscribeResponse.agent.summary).toEqual(double.summary);
    expectError(await stopCall(guid), 409, '409-201');
  });

  it('the gateway lost the session without a summary: 409-201 and the call is marked ended', async () => {
    const guid = await liveCall();
    await startCall(guid);
    double.forget(guid);
    expectError(await stopCall(guid), 409, '409-201');
    expect(await store.getConversation(guid)).toMatchObject({ sessionState: 'closed', transcription: 'stopped' });
  });

  it('repairs the table when the gateway says nothing runs', async () => {
    const guid = await liveCall();
    await startCall(guid);
    double.sessions.get(guid)!.running = false;
    expectError(await stopCall(guid), 409, '409-201');
    expect((await store.getConversation(guid))?.transcription).toBe('stopped');
    expect((await startCall(guid)).status).toBe(200);
  });

  it('a span the table lost track of is still stopped: the gateway is asked while the session is open', async () => {
    const guid = await liveCall();
    const started = await startCall(guid);
    await store.recordStop(guid, double.sessions.get(guid)!.sessionId); // the start's record lost
    const stopped = await stopCall(guid);
    expect(stopped.status).toBe(200);
    expect(stopped.body.autotranscribeResponse.customer.streamId).toBe(started.body.autotranscribeResponse.customer.streamId);
  });

  it('a new session of the same call starts clean', async () => {
    const guid = await liveCall();
    await startCall(guid);
    await double.endCall(guid);
    await double.openSession(guid);
    // The ended span's summary is still owed to the caller...
    expect((await stopCall(guid)).status).toBe(200);
    // ...and the new session has nothing running until started.
    expectError(await stopCall(guid), 409, '409-201');
    expect((await startCall(guid)).status).toBe(200);
    expect((await stopCall(guid)).status).toBe(200);
  });
});

describe('500-201', () => {
  it.each(['http-500', 'garbage', 'reset', 'hang'] as const)('gateway misbehaving (%s): 500-201, lock released', async (misbehaviour) => {
    const guid = await liveCall();
    double.misbehave = misbehaviour;
    expectError(await startCall(guid), 500, '500-201');
    double.misbehave = undefined;
    // The lock did not outlive the failed request, and nothing was recorded as running.
    expect((await startCall(guid)).status).toBe(200);
    double.misbehave = misbehaviour;
    expectError(await stopCall(guid), 500, '500-201');
  });

  it('gateway unreachable', async () => {
    const guid = randomUUID();
    await store.registerSession({ conversationId: guid, sessionId: randomUUID(), gatewayUrl: 'http://127.0.0.1:9' });
    expectError(await startCall(guid), 500, '500-201');
    expectError(await startCall(guid), 500, '500-201');
  });

  it('control store missing or unreachable: 500-201 (start/stop), 500-01 (messages)', async () => {
    const missingTable = () => createApiRuntime({ ...process.env, CONVERSATIONS_TABLE: 'no-such-table', MESSAGES_TABLE: 'no-such-table' });
    const guid = await liveCall();
    expectError(await call(createStartStreamingHandler(missingTable), { path: START_PATH, body: startBody(guid) }), 500, '500-201');
    expectError(await call(createStopStreamingHandler(missingTable), { path: STOP_PATH, body: stopBody(guid) }), 500, '500-201');
    expectError(
      await call(createConversationMessagesHandler(missingTable), { method: 'GET', path: MESSAGES_PATH, query: { externalId: guid } }),
      500,
      '500-01',
    );

    const unreachable = () => {
      const runtime = createApiRuntime();
      const client = createDocumentClient(new DynamoDBClient({ endpoint: 'http://127.0.0.1:9', maxAttempts: 1 }));
      return {
        ...runtime,
        conversations: createConversationsStore({ client, tableName: emulators().tables.conversations, retentionDays: 7 }),
      };
    };
    expectError(await call(createStartStreamingHandler(unreachable), { path: START_PATH, body: startBody(guid) }), 500, '500-201');
    expectError(await call(createStopStreamingHandler(unreachable), { path: STOP_PATH, body: stopBody(guid) }), 500, '500-201');
  });

  it('configuration broken: 500 envelope, no detail leaked', async () => {
    const broken = () => createApiRuntime({ ...process.env, API_CREDENTIALS: 'not json' });
    const result = await call(createStartStreamingHandler(broken), { path: START_PATH, body: startBody(randomUUID()) });
    expectError(result, 500, '500-201');
    expect(result.body.error.message).toBe('MG AutoTranscribe internal error');
  });
});
