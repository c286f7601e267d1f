import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dynamoDbDocumentClient } from '#core/aws/clients.ts';
import { createConversationsStore, type ConversationsStore } from '#core/stores/conversations.ts';
import { handler as start } from '#lambdas/start-streaming/handler.ts';
import { handler as stop } from '#lambdas/stop-streaming/handler.ts';
import { useEmulators } from '#test/support/emulators.ts';
import { startControlDouble, type ControlDouble } from '#test/support/gateway-control-double.ts';
import { START_PATH, STOP_PATH, call, configureApiEnv, expectError, startBody, stopBody } from './api-test-kit.ts';

const emulators = useEmulators({ prefix: 'lock' });
let double: ControlDouble;
let store: ConversationsStore;

beforeAll(async () => {
  configureApiEnv();
  store = createConversationsStore({ client: dynamoDbDocumentClient(), tableName: emulators().tables.conversations, retentionDays: 7 });
  double = await startControlDouble(store);
});
afterAll(() => double.close());
beforeEach(() => {
  double.delayMs = 0;
});

const startCall = (guid: string) => call(start, { path: START_PATH, body: startBody(guid) });
const stopCall = (guid: string) => call(stop, { path: STOP_PATH, body: stopBody(guid) });

describe('per-conversation lock', () => {
  it('two concurrent starts: one 200, one 409-202', async () => {
    const guid = randomUUID();
    await double.openSession(guid);
    double.delayMs = 300;
    const results = await Promise.all([startCall(guid), startCall(guid)]);
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 409]);
    expectError(
      results.find((r) => r.status === 409)!,
      409,
      '409-202',
    );
    expect(double.requests.filter((r) => r.conversationId === guid)).toHaveLength(1);
  });

  it('many concurrent starts: exactly one wins', async () => {
    const guid = randomUUID();
    await double.openSession(guid);
    double.delayMs = 300;
    const results = await Promise.all(Array.from({ length: 8 }, () => startCall(guid)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    for (const r of results.filter((r) => r.status !== 200)) expectError(r, 409, '409-202');
  });

  it('start and stop racing: the loser gets 409-202', async () => {
    const guid = randomUUID();
    await double.openSession(guid);
    expect((await startCall(guid)).status).toBe(200);
    double.delayMs = 300;
    const results = await Promise.all([stopCall(guid), startCall(guid)]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    expectError(
      results.find((r) => r.status === 409)!,
      409,
      '409-202',
    );
  });

  it('the lock is released after each request, so sequential requests never collide', async () => {
    const guid = randomUUID();
    await double.openSession(guid);
    for (let i = 0; i < 3; i++) {
      expect((await startCall(guid)).status).toBe(200);
      expect((await stopCall(guid)).status).toBe(200);
    }
    expect((await store.getConversation(guid))?.lockOwner).toBeUndefined();
  });

  it('a lock held by a crashed request blocks until it expires, then is taken over', async () => {
    const guid = randomUUID();
    await double.openSession(guid);
    expect(await store.acquireLock(guid, 'crashed-request', 400)).toBeDefined();
    expectError(await startCall(guid), 409, '409-202');
    expectError(await stopCall(guid), 409, '409-202');
    await new Promise((r) => setTimeout(r, 500));
    expect((await startCall(guid)).status).toBe(200);
  });

  it('releasing someone else’s lock does nothing', async () => {
    const guid = randomUUID();
    await double.openSession(guid);
    expect(await store.acquireLock(guid, 'owner-a')).toBeDefined();
    expect(await store.acquireLock(guid, 'owner-b')).toBeUndefined();
    await store.releaseLock(guid, 'owner-b');
    expect((await store.getConversation(guid))?.lockOwner).toBe('owner-a');
    await store.releaseLock(guid, 'owner-a');
    expect(await store.acquireLock(guid, 'owner-b')).toBeDefined();
  });
});
