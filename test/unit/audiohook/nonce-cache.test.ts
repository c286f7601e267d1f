import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_NONCES, NonceCache } from '#gateway/audiohook/nonce-cache.ts';

describe('NonceCache', () => {
  it('accepts a new nonce and rejects it while live', () => {
    const cache = new NonceCache();
    expect(cache.checkAndRemember('a', 110, 100)).toBe(true);
    expect(cache.checkAndRemember('a', 110, 100)).toBe(false);
    expect(cache.checkAndRemember('a', 999, 105)).toBe(false);
    expect(cache.checkAndRemember('a', 110, 110)).toBe(false);
  });

  it('forgets a nonce once its time has passed', () => {
    const cache = new NonceCache();
    cache.checkAndRemember('a', 110, 100);
    expect(cache.checkAndRemember('a', 120, 110.5)).toBe(true);
    expect(cache.checkAndRemember('a', 120, 115)).toBe(false);
  });

  it('keeps nonces apart', () => {
    const cache = new NonceCache();
    expect(cache.checkAndRemember('a', 110, 100)).toBe(true);
    expect(cache.checkAndRemember('b', 110, 100)).toBe(true);
    expect(cache.checkAndRemember('A', 110, 100)).toBe(true);
    expect(cache.size).toBe(3);
  });

  it('sweeps expired entries lazily on the next call', () => {
    const cache = new NonceCache();
    for (let i = 0; i < 10; i++) cache.checkAndRemember(`n${i}`, 100 + i, 100);
    expect(cache.size).toBe(10);
    cache.checkAndRemember('late', 200, 105.5);
    // n0..n5 expired (until < 105.5), n6..n9 live, plus 'late'.
    expect(cache.size).toBe(5);
  });

  it('stops sweeping at the first live entry, and still treats a later expired one as unseen', () => {
    const cache = new NonceCache();
    cache.checkAndRemember('long', 1000, 100);
    cache.checkAndRemember('short', 101, 100);
    cache.checkAndRemember('other', 1000, 200);
    expect(cache.size).toBe(3);
    expect(cache.checkAndRemember('short', 300, 200)).toBe(true);
    expect(cache.size).toBe(3);
  });

  it('evicts the oldest entry beyond the cap', () => {
    const cache = new NonceCache({ maxEntries: 3 });
    for (const n of ['a', 'b', 'c', 'd']) expect(cache.checkAndRemember(n, 1000, 100)).toBe(true);
    expect(cache.size).toBe(3);
    expect(cache.checkAndRemember('a', 1000, 100)).toBe(true);
    expect(cache.checkAndRemember('d', 1000, 100)).toBe(false);
  });

  it('a re-recorded nonce becomes the youngest', () => {
    const cache = new NonceCache({ maxEntries: 2 });
    cache.checkAndRemember('a', 101, 100);
    cache.checkAndRemember('b', 1000, 100);
    cache.checkAndRemember('a', 1000, 102); // expired, so recorded again at the young end
    cache.checkAndRemember('c', 1000, 102); // evicts b, the oldest
    expect(cache.checkAndRemember('a', 1000, 102)).toBe(false);
    expect(cache.checkAndRemember('b', 1000, 102)).toBe(true);
  });

  // Speed is a benchmark's job, not a unit test's (a wall-clock bound fails on a loaded machine).
  it('holds at most the cap under a flood', () => {
    const cache = new NonceCache({ maxEntries: 1000 });
    for (let i = 0; i < 200_000; i++) cache.checkAndRemember(`n${i}`, 1e12, 100);
    expect(cache.size).toBe(1000);
  });

  it('defaults to 100k entries', () => {
    expect(DEFAULT_MAX_NONCES).toBe(100_000);
  });

  it.each([0, -1, 1.5, Number.NaN, Infinity])('rejects maxEntries = %d', (maxEntries) => {
    expect(() => new NonceCache({ maxEntries })).toThrow(RangeError);
  });

  it('clear() forgets everything', () => {
    const cache = new NonceCache();
    cache.checkAndRemember('a', 110, 100);
    cache.clear();
    expect(cache.size).toBe(0);
    expect(cache.checkAndRemember('a', 110, 100)).toBe(true);
  });
});
