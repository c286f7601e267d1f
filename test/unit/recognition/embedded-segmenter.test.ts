import { describe, expect, it } from 'vitest';
import type { SegmenterEvent, SegmenterOptions } from '#gateway/recognition/embedded/segmenter.ts';
import { Segmenter } from '#gateway/recognition/embedded/segmenter.ts';
import { MAX_CALL_SECONDS } from '#gateway/audiohook/duration.ts';

const RATE = 8000;
const ms = (n: number) => (n * RATE) / 1000;

/** A deterministic signal: faint noise with loud tone bursts at the given [startMs, endMs) spans. */
function signal(totalMs: number, bursts: Array<[number, number]>, noiseAmplitude = 30, toneAmplitude = 8000): Int16Array {
  const out = new Int16Array(ms(totalMs));
  let seed = 12345;
  for (let i = 0; i < out.length; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    out[i] = Math.round(((seed / 0x7fffffff) * 2 - 1) * noiseAmplitude);
  }
  for (const [from, to] of bursts) {
    for (let i = ms(from); i < ms(to); i++) out[i] += Math.round(Math.sin((2 * Math.PI * 300 * i) / RATE) * toneAmplitude);
  }
  return out;
}

interface Seg {
  startSample: number;
  pcm: Int16Array;
  endSample: number;
  speechEndSample: number;
  decidedAtSample: number;
  reason: string;
}

/** Runs a whole signal through a segmenter in fixed chunks and reassembles the segments. */
function segment(pcm: Int16Array, chunk: number, options: Partial<SegmenterOptions> = {}, origin = 0): Seg[] {
  const segmenter = new Segmenter(options);
  const events: SegmenterEvent[] = [];
  for (let i = 0; i < pcm.length; i += chunk) events.push(...segmenter.push(pcm.subarray(i, i + chunk), origin + i));
  events.push(...segmenter.flush());
  return assemble(events);
}

function assemble(events: SegmenterEvent[]): Seg[] {
  const segments: Seg[] = [];
  let open: { start: number; parts: Int16Array[]; next: number } | undefined;
  for (const event of events) {
    if (event.type === 'open') {
      expect(open).toBeUndefined();
      open = { start: event.startSample, parts: [], next: event.startSample };
    } else if (event.type === 'audio') {
      expect(event.startSample).toBe(open!.next);
      open!.parts.push(event.pcm);
      open!.next += event.pcm.length;
    } else if (event.type === 'pause') {
      expect(open).toBeDefined();
    } else {
      expect(event.endSample).toBe(open!.next);
      const pcm = new Int16Array(open!.next - open!.start);
      let offset = 0;
      for (const part of open!.parts) {
        pcm.set(part, offset);
        offset += part.length;
      }
      segments.push({ startSample: open!.start, pcm, ...event });
      open = undefined;
    }
  }
  expect(open).toBeUndefined();
  return segments;
}

describe('Segmenter', () => {
  it('cuts one burst with 300 ms of padding each side, closed after 400 ms of silence', () => {
    const pcm = signal(4000, [[1000, 2000]]);
    const [seg, ...rest] = segment(pcm, 160);
    expect(rest).toHaveLength(0);
    expect(seg.startSample).toBe(ms(700));
    expect(seg.endSample).toBe(ms(2300));
    expect(seg.speechEndSample).toBe(ms(2000));
    expect(seg.decidedAtSample).toBe(ms(2400));
    expect(seg.reason).toBe('silence');
    // The segment's audio is exactly the input's, sample for sample.
    expect(seg.pcm).toEqual(pcm.slice(ms(700), ms(2300)));
  });

  it('gives the same segments whatever the chunk size', () => {
    const pcm = signal(9000, [
      [500, 1800],
      [2100, 2600],
      [4000, 7000],
      [7600, 7650],
    ]);
    const reference = segment(pcm, 160);
    expect(reference.length).toBeGreaterThan(1);
    for (const chunk of [7, 37, 80, 333, 1000, 4096, pcm.length]) {
      const segments = segment(pcm, chunk);
      expect(segments.map((s) => [s.startSample, s.endSample, s.speechEndSample, s.reason])).toEqual(
        reference.map((s) => [s.startSample, s.endSample, s.speechEndSample, s.reason]),
      );
      segments.forEach((s, i) => expect(s.pcm).toEqual(reference[i].pcm));
    }
  });

  it('keeps a short pause inside the segment and splits on a long one, without overlap', () => {
    const joined = segment(
      signal(4000, [
        [500, 1500],
        [1800, 2500],
      ]),
      160,
    );
    expect(joined).toHaveLength(1);
    const split = segment(
      signal(5000, [
        [500, 1500],
        [2300, 3000],
      ]),
      160,
    );
    expect(split).toHaveLength(2);
    expect(split[1].startSample).toBeGreaterThanOrEqual(split[0].endSample);
    expect(split[0].endSample).toBe(ms(1800));
    expect(split[1].startSample).toBe(ms(2000));
  });

  it('ignores clicks shorter than the minimum speech run', () => {
    expect(segment(signal(3000, [[1000, 1030]]), 160)).toHaveLength(0);
    expect(segment(signal(3000, [[1000, 1100]]), 160)).toHaveLength(1);
  });

  it('bounds segment length, preferring a short pause near the limit', () => {
    // Speech without a pause longer than 30 ms: hard cuts at the maximum, contiguous. (A tone without
    // any dip would be taken for line noise: the floor rises under it.)
    const syllables: Array<[number, number]> = [];
    for (let t = 0; t < 39_000; t += 400) syllables.push([t, Math.min(t + 370, 39_000)]);
    const pcm = signal(40_000, syllables);
    const hard = segment(pcm, 160, { maxSegmentMs: 15_000 });
    expect(hard.map((s) => s.reason)).toEqual(['max-length', 'max-length', 'silence']);
    for (const s of hard) expect(s.pcm.length).toBeLessThanOrEqual(ms(15_000));
    expect(hard[1].startSample).toBe(hard[0].endSample);
    expect(hard[2].startSample).toBe(hard[1].endSample);
    expect(hard[2].endSample).toBe(ms(39_300));

    // Speech with 150 ms breaths every 2 s: cut in the first breath that reaches 12 s (11.85–12 s).
    const bursts: Array<[number, number]> = [];
    for (let t = 0; t < 30_000; t += 2000) bursts.push([t, t + 1850]);
    const soft = segment(signal(31_000, bursts), 160, { maxSegmentMs: 15_000, splitSearchMs: 3000 });
    expect(soft[0].reason).toBe('max-length');
    expect(soft[0].pcm.length).toBeGreaterThanOrEqual(ms(12_000));
    expect(soft[0].pcm.length).toBeLessThan(ms(15_000));
    expect(soft[0].speechEndSample).toBe(ms(11_850));
    expect(soft[0].endSample).toBe(ms(12_000));
    expect(soft[1].startSample).toBeGreaterThanOrEqual(ms(12_000));
  });

  it('ends a segment at a gap in the timeline and never pads across it', () => {
    const pcm = signal(6000, [[1000, 5000]]);
    const segmenter = new Segmenter();
    const events = [
      ...segmenter.push(pcm.subarray(0, ms(2000)), 0),
      // 3 s never sent (a pause), then the rest of the audio.
      ...segmenter.push(pcm.subarray(ms(2000)), ms(5000)),
      ...segmenter.flush(),
    ];
    const [before, after] = assemble(events);
    expect(before.reason).toBe('gap');
    expect(before.startSample).toBe(ms(700));
    expect(before.endSample).toBe(ms(2000));
    expect(after.startSample).toBe(ms(5000));
    expect(after.endSample).toBe(ms(8300));
    expect(after.pcm).toEqual(pcm.slice(ms(2000), ms(5300)));
  });

  it('flush() closes the open segment with what has arrived', () => {
    const pcm = signal(2000, [[1000, 2000]]);
    const segmenter = new Segmenter();
    const pushed = segmenter.push(pcm, 0);
    expect(pushed.some((e) => e.type === 'close')).toBe(false);
    expect(segmenter.inSpeech).toBe(true);
    const [seg] = assemble([...pushed, ...segmenter.flush()]);
    expect(seg.reason).toBe('flush');
    expect(seg.endSample).toBe(ms(2000));
    expect(segmenter.inSpeech).toBe(false);
  });

  it('keeps positions on the call timeline', () => {
    const origin = 8000 * 3600;
    const [seg] = segment(signal(4000, [[1000, 2000]]), 160, {}, origin);
    expect(seg.startSample).toBe(origin + ms(700));
    expect(seg.endSample).toBe(origin + ms(2300));
  });

  it('releases audio while the speaker is still talking', () => {
    const pcm = signal(6000, [[500, 5500]]);
    const segmenter = new Segmenter();
    let released = 0;
    for (let i = 0; i < ms(3000); i += 160) {
      for (const e of segmenter.push(pcm.subarray(i, i + 160), i)) if (e.type === 'audio') released += e.pcm.length;
    }
    // Everything up to 3 s, from the segment's start at 200 ms, is certainly speech: all released.
    expect(released).toBe(ms(3000) - ms(200));
  });

  it('signals a pause once the padding has passed, with all the audio out, before deciding', () => {
    const pcm = signal(4000, [
      [1000, 2000],
      [2350, 2600],
    ]);
    const segmenter = new Segmenter();
    const seen: Array<[string, number]> = [];
    let released = 0;
    for (let i = 0; i < pcm.length; i += 80) {
      for (const e of segmenter.push(pcm.subarray(i, i + 80), i)) {
        if (e.type === 'audio') released = e.startSample + e.pcm.length;
        else seen.push([e.type, i + 80]);
        if (e.type === 'pause') expect(released).toBe(i + 80);
      }
    }
    // Opened 60 ms into the speech; paused at 2.3 s, resumed at 2.35 s (the same segment goes on), paused
    // again at 2.9 s, closed at 3 s.
    expect(seen).toEqual([
      ['open', ms(1060)],
      ['pause', ms(2300)],
      ['pause', ms(2900)],
      ['close', ms(3000)],
    ]);
  });

  it('adapts to a louder line: noise alone stops reading as speech within seconds', () => {
    // -36 dBFS noise (above the absolute threshold), then a burst.
    const pcm = signal(25_000, [[22_000, 23_000]], 900);
    const segments = segment(pcm, 160);
    const last = segments[segments.length - 1];
    expect(last.startSample).toBe(ms(21_700));
    expect(last.endSample).toBe(ms(23_300));
    // Whatever the noise opened at first ended long before the burst.
    for (const s of segments.slice(0, -1)) expect(s.endSample).toBeLessThan(ms(15_000));
  });

  it('keeps advancing at the furthest position a call can reach, and refuses positions past exact integers', () => {
    const far = MAX_CALL_SECONDS * RATE;
    const [seg] = segment(signal(2000, [[500, 1200]]), 160, {}, far);
    expect(seg.startSample).toBe(far + ms(200));
    const segmenter = new Segmenter();
    // 1e15 s of discarded audio: the frame loop would never advance at this position (a 100 % CPU hang seen).
    expect(() => segmenter.push(new Int16Array(160), 8e18)).toThrow(RangeError);
    expect(() => segmenter.push(new Int16Array(160), Number.NaN)).toThrow(RangeError);
  });
});
