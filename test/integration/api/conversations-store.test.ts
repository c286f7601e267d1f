import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { streamStatus, type StopResults } from '#core/domain/participant-result.ts';
import { loadStoreConfig } from '#core/config/stores.ts';
import { createStores } from '#core/stores/create-stores.ts';
import type { ConversationsStore } from '#core/stores/conversations.ts';
import { useEmulators } from '#test/support/emulators.ts';

/** The session-registry calls the gateway makes, against the emulator. */
useEmulators({ prefix: 'registry' });
let store: ConversationsStore;
const now = Date.parse('2026-11-24T13:00:00.000Z');

beforeAll(() => {
  store = createStores(loadStoreConfig(), { now: () => now }).conversations;
});

const url = 'http://10.0.1.23:8081';
const summary: StopResults = {
  customer: {
    streamId: 'c',
    status: streamStatus(1000),
    summary: { totalAudioBytes: 16, audioDurationMs: 1, streamingSeconds: 1, transcripts: 0 },
  },
  agent: {
    streamId: 'a',
    status: streamStatus(1000),
    summary: { totalAudioBytes: 16, audioDurationMs: 1, streamingSeconds: 1, transcripts: 0 },
  },
};

describe('conversations store', () => {
  it('registers a session under the lower-case id with TTL = retention + 1 day', async () => {
    const id = randomUUID().toUpperCase();
    expect(await store.registerSession({ conversationId: id, sessionId: 's1', gatewayUrl: url })).toBe(true);
    const record = await store.getConversation(id.toLowerCase());
    expect(record).toEqual({
      conversationId: id.toLowerCase(),
      sessionId: 's1',
      gatewayUrl: url,
      sessionState: 'open',
      openedAt: '2026-11-24T13:00:00.000Z',
      updatedAt: '2026-11-24T13:00:00.000Z',
      expiresAt: now / 1000 + 8 * 86_400,
    });
  });

  it('a newer session replaces the live one and starts clean; a late older one and a repeat are ignored', async () => {
    const id = randomUUID();
    await store.registerSession({ conversationId: id, sessionId: 's1', gatewayUrl: url, openedAt: '2026-11-24T13:00:00.000Z' });
    await store.recordStart(id, 's1', {
      settings: {
        language: 'en-US',
        detailedToken: false,
        redactionOutput: 'redacted',
        audioRecordingAllowed: false,
        customerId: 'c',
        agentId: 'a',
      },
      customerStreamId: 'c',
      agentStreamId: 'a',
    });
    expect(await store.registerSession({ conversationId: id, sessionId: 's1', gatewayUrl: url })).toBe(false);
    expect((await store.getConversation(id))?.transcription).toBe('running');
    expect(
      await store.registerSession({
        conversationId: id,
        sessionId: 's2',
        gatewayUrl: 'http://10.0.1.99:8081',
        openedAt: '2026-11-24T13:05:00.000Z',
      }),
    ).toBe(true);
    expect(
      await store.registerSession({ conversationId: id, sessionId: 's0', gatewayUrl: url, openedAt: '2026-11-24T12:59:00.000Z' }),
    ).toBe(false);
    const record = await store.getConversation(id);
    expect(record).toMatchObject({ sessionId: 's2', gatewayUrl: 'http://10.0.1.99:8081', sessionState: 'open' });
    expect(record?.transcription).toBeUndefined();
  });

  it('closing/closed apply to the live session only; a summary of an older session is still kept', async () => {
    const id = randomUUID();
    await store.registerSession({ conversationId: id, sessionId: 's1', gatewayUrl: url });
    expect(await store.markSessionClosing(id, 'other')).toBe(false);
    expect(await store.markSessionClosing(id, 's1')).toBe(true);
    expect((await store.getConversation(id))?.sessionState).toBe('closing');
    expect(await store.markSessionClosed(id, 's1', summary)).toBe(true);
    expect(await store.markSessionClosing(id, 's1')).toBe(false); // closed stays closed
    expect(await store.getConversation(id)).toMatchObject({ sessionState: 'closed', transcription: 'stopped', pendingSummary: summary });

    const other = randomUUID();
    await store.registerSession({ conversationId: other, sessionId: 'new', gatewayUrl: url });
    expect(await store.markSessionClosed(other, 'old', summary)).toBe(false);
    expect(await store.getConversation(other)).toMatchObject({ sessionState: 'open', pendingSummary: summary });
  });

  it('the pending summary is taken exactly once, even by concurrent callers', async () => {
    const id = randomUUID();
    await store.registerSession({ conversationId: id, sessionId: 's1', gatewayUrl: url });
    await store.storePendingSummary(id, summary);
    const taken = await Promise.all([store.takePendingSummary(id), store.takePendingSummary(id), store.takePendingSummary(id)]);
    expect(taken.filter(Boolean)).toEqual([summary]);
    expect((await store.getConversation(id))?.pendingSummary).toBeUndefined();
  });

  it('nothing is written for an unknown call', async () => {
    const id = randomUUID();
    await store.storePendingSummary(id, summary);
    expect(await store.acquireLock(id, 'me')).toBeUndefined();
    expect(await store.recordStop(id, 's')).toBe(false);
    expect(await store.getConversation(id)).toBeUndefined();
  });

  it('refuses a gateway URL that is not an http(s) base URL', async () => {
    await expect(store.registerSession({ conversationId: randomUUID(), sessionId: 's', gatewayUrl: '10.0.0.1:8081' })).rejects.toThrow();
  });
});
