import { describe, expect, it } from 'vitest';
import { formatDuration, MAX_CALL_SECONDS, parseDuration } from '#gateway/audiohook/duration.ts';

describe('parseDuration', () => {
  it.each([
    // What Genesys and the reference client send.
    ['PT0S', 0],
    ['PT1.2S', 1.2],
    ['PT2S', 2],
    ['PT0.001211047S', 0.001211047],
    ['PT12.34S', 12.34],
    ['PT3600S', 3600],
    // Other valid ISO-8601 forms.
    ['PT1M2.5S', 62.5],
    ['PT1H', 3600],
    ['PT1H30M', 5400],
    ['PT1H0M0.5S', 3600.5],
    ['PT0.5M', 30],
    ['P0D', 0],
    ['P1D', 86_400],
    ['P1DT1S', 86_401],
    ['P1W', 604_800],
    ['P0Y0M0DT1.5S', 1.5],
    ['P0Y', 0],
    ['PT1,5S', 1.5],
    ['PT1.S', 1],
    ['PT.5S', 0.5],
    ['PT000.250S', 0.25],
    ['pt1.5s', 1.5],
    ['PT604800S', 604_800], // the longest a call can be
  ])('parses %s as %d s', (text, seconds) => {
    expect(parseDuration(text)).toBeCloseTo(seconds, 12);
  });

  it.each([
    [''],
    ['P'],
    ['PT'],
    ['P1DT'],
    ['T1S'],
    ['1.2'],
    ['1.2S'],
    ['PT-1S'],
    ['-PT1S'],
    ['+PT1S'],
    ['PT1.2.3S'],
    ['PT1e3S'],
    ['PT1S '],
    [' PT1S'],
    ['PT1 S'],
    ['PTS'],
    ['PT.S'],
    ['PT1X'],
    ['PT1S1M'], // components out of order
    ['PT1SS'],
    ['P1S'], // seconds belong after T
    ['PT1H2D'],
    ['P1Y'], // a year has no fixed length in seconds
    ['P2M'],
    ['P1.5Y'],
    ['PTinfinityS'],
    [`PT${'9'.repeat(400)}S`], // overflows to Infinity
    ['PT0x10S'],
    ['PT１S'], // full-width digit
    // Longer than any call: positions derived from these would leave exact integer range (a hang seen).
    ['PT1000000000000000S'],
    ['PT1200000000000S'],
    ['PT604800.001S'],
    ['P8D'],
    ['PT99999999S'],
  ])('rejects %j', (text) => {
    expect(parseDuration(text)).toBeNull();
  });
});

describe('MAX_CALL_SECONDS', () => {
  it('keeps every position on the 8 kHz timeline an exact integer with room to spare', () => {
    expect(Number.isSafeInteger(MAX_CALL_SECONDS * 8000 * 1000)).toBe(true);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, 'PT0S'],
    [-0, 'PT0S'],
    [2, 'PT2S'],
    [1.2, 'PT1.2S'],
    [12.34, 'PT12.34S'],
    [0.001211047, 'PT0.001211047S'],
    [0.1 + 0.2, 'PT0.3S'],
    [1e-7, 'PT0.0000001S'],
    [1e-10, 'PT0S'],
    [0.9999999999, 'PT1S'],
    [1.0000000004, 'PT1S'],
    [123456.000000001, 'PT123456.000000001S'],
    [3600, 'PT3600S'],
    [1e20, 'PT100000000000000000000S'],
    [100, 'PT100S'],
    [10.5, 'PT10.5S'],
  ])('formats %d s as %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });

  it.each([-1, -1e-12, Number.NaN, Number.POSITIVE_INFINITY, 1e21])('rejects %d', (seconds) => {
    expect(() => formatDuration(seconds)).toThrow(RangeError);
  });

  it('round-trips through parseDuration to the nanosecond', () => {
    for (const seconds of [0, 0.2, 1.4, 59.999, 7.123456789, 86_400.5]) {
      expect(parseDuration(formatDuration(seconds))).toBeCloseTo(seconds, 9);
    }
  });

  it('never writes exponent notation', () => {
    for (let exponent = -12; exponent <= 20; exponent++) {
      expect(formatDuration(10 ** exponent)).toMatch(/^PT\d+(\.\d{1,9})?S$/);
    }
  });
});
