import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { fuzzSession } from './fuzz-session.ts';

/**
 * Seeded hostile traffic against the real gateway (a short run; `npm run fuzz` runs ≥ 100,000 frames):
 * the process never throws, every session ends in a documented way, the server's own messages stay
 * well-formed and in sequence, and nothing is left behind.
 */

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway({ env: { IDLE_TIMEOUT_MS: '2000' } });
});
afterAll(async () => {
  await gw.close();
});

/** Breaches that are the server's own fault, whatever the client sent. */
const serverFaults = (violations: string[]) =>
  violations.filter(
    (v) => v.startsWith('500: server seq') || v.startsWith('400: not an AudioHook') || v.startsWith('400: id') || v.startsWith('415'),
  );

describe('fuzzed sessions', () => {
  it('survives 4,000 mutated frames over 400 sessions, each ending in a documented way', async () => {
    const endings = new Map<string, number>();
    for (let batch = 0; batch < 20; batch++) {
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => fuzzSession(gw.clientOptions, 1_000 + batch * 20 + i, 10)));
      for (const r of results) {
        endings.set(r.ending, (endings.get(r.ending) ?? 0) + 1);
        expect(serverFaults(r.violations)).toEqual([]);
      }
    }
    expect([...endings.keys()].every((e) => e === 'closed' || e === 'socket-closed-by-server')).toBe(true);
    await expect.poll(() => gw.server.sessions.size, { timeout: 5_000 }).toBe(0);
    await expect.poll(() => gw.server.calls.size, { timeout: 5_000 }).toBe(0);
  });
});
