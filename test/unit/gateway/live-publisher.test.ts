import { describe, expect, it } from 'vitest';
import { LIVE_PUBLISH_WRITES_PER_SECOND, LIVE_STALE_AFTER_MS, type LiveCallView } from '#core/domain/live-call.ts';
import { logger } from '#core/logger.ts';
import type { AudioHookSession } from '#gateway/audiohook/session.ts';
import type { LiveCalls } from '#gateway/live-calls.ts';
import { RecordingLogger } from '#test/support/recording-logger.ts';
import { LIVE_WRITES_IN_FLIGHT, LivePublisher } from '#gateway/registry/live-publisher.ts';

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

  it('writes a round of a thousand sessions a few at a time, so the calls keep sockets of the store client', async () => {
    const sessions = new Set(
      Array.from({ length: 1_000 }, (_, i) => ({
        sessionId: `s-${i}`,
        conversationId: `CONV-${i}`,
        openedAt: 1_000,
        openReceivedAt: 990,
        state: 'active',
        isProbe: false,
      })),
    );
    let inFlight = 0;
    let most = 0;
    const written = new Set<string>();
    const failing = 'conv-7';
    const log = new RecordingLogger();
    const publisher = new LivePublisher({
      sessions: () => sessions as unknown as ReadonlySet<AudioHookSession>,
      calls: { all: () => [].values() } as unknown as LiveCalls,
      store: {
        publish: async (id) => {
          most = Math.max(most, ++inFlight);
          await new Promise((r) => setTimeout(r, 1));
          inFlight--;
          if (id.toLowerCase() === failing) throw Object.assign(new Error('timeout'), { name: 'TimeoutError' });
          written.add(id);
          return true;
        },
        end: async () => true,
      },
      intervalMs: 60_000,
      logger: log,
    });
    await publisher.publish();
    expect(most).toBe(LIVE_WRITES_IN_FLIGHT);
    expect(written.size).toBe(999);
    const warnings = log.records.filter((r) => r.level === 'WARN');
    expect(warnings.map((r) => r.message)).toEqual(['live call views not published; retrying next round']);
    expect(warnings[0].attributes).toMatchObject({ failed: 1, error: 'TimeoutError' });
    // 1,000 writes a round at the 200-a-second budget: the next round 5 s later, not after the interval.
    const budgeted = new LivePublisher({
      sessions: () => sessions as unknown as ReadonlySet<AudioHookSession>,
      calls: { all: () => [].values() } as unknown as LiveCalls,
      store: { publish: async () => true, end: async () => true },
      intervalMs: 2_000,
      logger: log,
    });
    expect(budgeted.pauseAfterRound()).toBe(2_000);
    await budgeted.publish();
    expect(budgeted.pauseAfterRound()).toBe(1_000_000 / LIVE_PUBLISH_WRITES_PER_SECOND);
    // Never so far apart that the console would report the views lost.
    for (let i = 0; i < 2_000; i++) sessions.add({ ...[...sessions][0], sessionId: `more-${i}`, conversationId: `MORE-${i}` });
    await budgeted.publish();
    expect(budgeted.pauseAfterRound()).toBe(LIVE_STALE_AFTER_MS / 2);
  });
});
