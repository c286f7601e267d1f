import { describe, expect, it } from 'vitest';
import { AudioTimeline, samplesToMs } from '#gateway/audio/timeline.ts';
import { MAX_CALL_SECONDS, parseDuration } from '#gateway/audiohook/duration.ts';

const FRAME = 1600; // 200 ms at 8 kHz

describe('samplesToMs', () => {
  it.each([
    [0, 8000, 0],
    [8000, 8000, 1000],
    [1600, 8000, 200],
    [1, 8000, 0.125],
    [16000, 16000, 1000],
    [44100, 44100, 1000],
  ])('%i samples at %i Hz are %d ms', (samples, rate, ms) => {
    expect(samplesToMs(samples, rate)).toBe(ms);
  });

  it('defaults to 8 kHz', () => {
    expect(samplesToMs(4000)).toBe(500);
  });
});

describe('AudioTimeline', () => {
  it('starts at zero', () => {
    const t = new AudioTimeline();
    expect(t.samples).toBe(0);
    expect(t.discardedSamples).toBe(0);
    expect(t.positionSamples).toBe(0);
    expect(t.positionMs()).toBe(0);
    expect(t.positionSeconds()).toBe(0);
    expect(t.sampleRate).toBe(8000);
  });

  it('counts received samples per channel', () => {
    const t = new AudioTimeline();
    for (let i = 0; i < 5; i++) t.addReceived(FRAME);
    t.addReceived(0);
    t.addReceived(3);
    expect(t.samples).toBe(5 * FRAME + 3);
    expect(t.positionSamples).toBe(5 * FRAME + 3);
    expect(t.positionMs()).toBe(1000.375);
  });

  it('adds discarded time to the position, not to the received count', () => {
    const t = new AudioTimeline();
    t.addReceived(FRAME);
    t.addDiscarded(1.5);
    expect(t.samples).toBe(FRAME);
    expect(t.discardedSamples).toBe(12_000);
    expect(t.positionSamples).toBe(13_600);
    expect(t.positionMs()).toBe(1700);
  });

  it('reproduces worked example A of §11.2: server pause from 2 s to 4 s, close at 7 s', () => {
    const t = new AudioTimeline();
    for (let i = 0; i < 10; i++) t.addReceived(FRAME);
    expect(t.positionSeconds()).toBe(2); // `paused` at PT2S
    t.addDiscarded(parseDuration('PT2S')!); // `resumed` start PT2S, discarded PT2S
    expect(t.positionSeconds()).toBe(4); // `resumed` at PT4S
    for (let i = 0; i < 15; i++) t.addReceived(FRAME);
    expect(t.positionSeconds()).toBe(7); // `close` at PT7S
    expect(t.samples / 8000).toBe(5);
  });

  it('reproduces worked example B of §11.2: startPaused with discardTo', () => {
    const t = new AudioTimeline();
    t.addDiscarded(parseDuration('PT1.4S')!); // `discarded` start PT0S
    expect(t.positionSeconds()).toBe(1.4);
    t.addDiscarded(parseDuration('PT2S')!); // `resumed` start PT1.4S
    expect(t.positionSeconds()).toBe(3.4);
    for (let i = 0; i < 13; i++) t.addReceived(FRAME);
    expect(t.positionSeconds()).toBe(6);
    expect(t.positionMs()).toBe(6000);
  });

  it('accepts a zero discard (a source that does not advance while paused)', () => {
    const t = new AudioTimeline();
    t.addReceived(FRAME);
    t.addDiscarded(0);
    expect(t.positionSamples).toBe(FRAME);
  });

  it('rounds the sum of discards once, so many small ones do not drift', () => {
    const t = new AudioTimeline();
    const seconds = parseDuration('PT0.001211047S')!; // 9.688 samples each
    for (let i = 0; i < 1000; i++) t.addDiscarded(seconds);
    expect(t.discardedSamples).toBe(9688); // rounding each discard would give 10,000
  });

  it('rounds a sub-sample discard to the nearest sample', () => {
    const t = new AudioTimeline();
    t.addDiscarded(0.0001); // 0.8 samples
    expect(t.discardedSamples).toBe(1);
  });

  it('never moves backwards', () => {
    const t = new AudioTimeline();
    let last = 0;
    for (let i = 0; i < 500; i++) {
      if (i % 3 === 0) t.addDiscarded((i % 7) * 0.000_037);
      else t.addReceived(i % 11);
      expect(t.positionSamples).toBeGreaterThanOrEqual(last);
      last = t.positionSamples;
    }
  });

  it('works at another sample rate', () => {
    const t = new AudioTimeline(16_000);
    t.addReceived(16_000);
    t.addDiscarded(0.5);
    expect(t.positionSamples).toBe(24_000);
    expect(t.positionMs()).toBe(1500);
  });

  it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('rejects %d received samples', (n) => {
    expect(() => new AudioTimeline().addReceived(n)).toThrow(RangeError);
  });

  it.each([-0.2, Number.NaN, Number.POSITIVE_INFINITY])('rejects a discard of %d s', (s) => {
    expect(() => new AudioTimeline().addDiscarded(s)).toThrow(RangeError);
  });

  it('caps discarded time at the longest a call can be, however many spans are reported', () => {
    const t = new AudioTimeline();
    expect(t.addDiscarded(MAX_CALL_SECONDS)).toBe(MAX_CALL_SECONDS);
    expect(t.addDiscarded(MAX_CALL_SECONDS)).toBe(0);
    expect(t.addDiscarded(1e300)).toBe(0);
    t.addReceived(FRAME);
    expect(t.positionSamples).toBe(MAX_CALL_SECONDS * 8000 + FRAME);
    expect(Number.isSafeInteger(t.positionSamples)).toBe(true);
  });
});
