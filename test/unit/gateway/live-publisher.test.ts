import { describe, expect, it } from 'vitest';
import type { LiveCallView } from '#core/domain/live-call.ts';
import { logger } from '#core/logger.ts';
import type { AudioHookSession } from '#gateway/audiohook/session.ts';
import type { LiveCalls } from '#gateway/live-calls.ts';
import { LivePublisher } from '#gateway/registry/live-publisher.ts';

/**
 * The publisher only reads a session's and a call's public fields, so plain objects with those
 * fields stand for them here; the whole path runs for real in test/e2e/console-api.test.ts.
 */
describe('LivePublisher', () => {
  it('ends a session with its final counters, not the ones of the last round', async () => {
    const session = { sessionId: 's-1', conversationId: 'CONV-1', openedAt: 1_000, openReceivedAt: 990, state: 'active', isProbe: false };
    const call = {
      session,
      presentRoles: ['customer', 'agent'],
      isTranscribing: true,
      transcriptionStatus: {},
      counters: { receivedSamples: { customer: 8_000, agent: 8_000 }, pauses: 0 },
      timeline: { discardedSamples: 0 },
      discards: [],
    };
    const sessions = new Set([session]);
    const calls = new Set([call]);
    const published: LiveCallView[] = [];
    const ended: LiveCallView[] = [];
    const publisher = new LivePublisher({
      sessions: () => sessions as unknown as ReadonlySet<AudioHookSession>,
      calls: { all: () => calls.values() } as unknown as LiveCalls,
      store: {
        publish: async (_id, view) => {
          published.push(view);
          return true;
        },
        end: async (_id, view) => {
          ended.push(view);
          return true;
        },
      },
      intervalMs: 60_000,
      logger,
    });

    await publisher.publish();
    expect(published.at(-1)?.receivedMs).toEqual({ customer: 1_000, agent: 1_000 });

    // More audio arrives after the round, then the call ends before the next one.
    call.counters.receivedSamples.customer = 24_000 * 8;
    call.counters.receivedSamples.agent = 12_000 * 8;
    sessions.clear();
    calls.clear();
    await publisher.publish();

    expect(ended).toHaveLength(1);
    expect(ended[0]).toMatchObject({ state: 'closed', receivedMs: { customer: 24_000, agent: 12_000 } });
  });
});
