import { describe, expect, it } from 'vitest';
import { splitChannels } from '#gateway/audio/deinterleave.ts';
import { MULAW_DECODE_TABLE } from '#gateway/audio/mulaw.ts';

/** The obvious byte-at-a-time de-interleave, as the expected value. */
function reference(frame: Uint8Array, channelCount: 1 | 2): Int16Array[] {
  const samples = Math.floor(frame.length / channelCount);
  return Array.from({ length: channelCount }, (_, c) =>
    Int16Array.from({ length: samples }, (_, i) => MULAW_DECODE_TABLE[frame[i * channelCount + c]]),
  );
}

/** Byte comparison: toEqual walks megabyte arrays element by element and takes tens of seconds. */
function expectSameSamples(actual: Int16Array[], expected: Int16Array[]): void {
  expect(actual.map((c) => c.length)).toEqual(expected.map((c) => c.length));
  actual.forEach((c, i) => {
    const bytes = (a: Int16Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
    if (!bytes(c).equals(bytes(expected[i]))) {
      const at = c.findIndex((v, k) => v !== expected[i][k]);
      expect.fail(`channel ${i} differs first at sample ${at}: ${c[at]} != ${expected[i][at]}`);
    }
  });
}

function noise(length: number, seed = 1): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

describe('splitChannels', () => {
  it('decodes a mono frame', () => {
    const { channels, samplesPerChannel, droppedBytes } = splitChannels(Uint8Array.of(0x00, 0x80, 0xff), 1);
    expect(channels.map((c) => [...c])).toEqual([[-32124, 32124, 0]]);
    expect(samplesPerChannel).toBe(3);
    expect(droppedBytes).toBe(0);
  });

  it('puts even bytes in the first channel and odd bytes in the second', () => {
    const frame = Uint8Array.of(0x00, 0x80, 0xff, 0x7f, 0xfe, 0x7e);
    const { channels, samplesPerChannel, droppedBytes } = splitChannels(frame, 2);
    expect(channels.map((c) => [...c])).toEqual([
      [-32124, 0, 8],
      [32124, 0, -8],
    ]);
    expect(samplesPerChannel).toBe(3);
    expect(droppedBytes).toBe(0);
  });

  it('keeps the frame order: swapping the bytes of each group swaps the outputs', () => {
    const frame = noise(3200);
    const swapped = frame.slice();
    for (let i = 0; i < swapped.length; i += 2) [swapped[i], swapped[i + 1]] = [frame[i + 1], frame[i]];
    const a = splitChannels(frame, 2).channels;
    const b = splitChannels(swapped, 2).channels;
    expect(b[0]).toEqual(a[1]);
    expect(b[1]).toEqual(a[0]);
  });

  it.each([1, 2] as const)('returns %i empty channel(s) for an empty frame', (channelCount) => {
    const result = splitChannels(new Uint8Array(0), channelCount);
    expect(result.samplesPerChannel).toBe(0);
    expect(result.droppedBytes).toBe(0);
    expect(result.channels).toHaveLength(channelCount);
    for (const c of result.channels) expect(c.length).toBe(0);
  });

  it('decodes the whole groups of an odd-length stereo frame and reports the rest', () => {
    const frame = Uint8Array.of(0x00, 0x80, 0xff, 0x7f, 0x12);
    const { channels, samplesPerChannel, droppedBytes } = splitChannels(frame, 2);
    expect(samplesPerChannel).toBe(2);
    expect(droppedBytes).toBe(1);
    expect(channels.map((c) => [...c])).toEqual([
      [-32124, 0],
      [32124, 0],
    ]);
  });

  it('reports a single-byte stereo frame as dropped without throwing', () => {
    const result = splitChannels(Uint8Array.of(0x55), 2);
    expect(result.samplesPerChannel).toBe(0);
    expect(result.droppedBytes).toBe(1);
    expect(result.channels.map((c) => c.length)).toEqual([0, 0]);
  });

  it('matches the reference at every byte offset and length (aligned, unaligned, word tails)', () => {
    const backing = noise(96, 7);
    for (const channelCount of [1, 2] as const) {
      for (let offset = 0; offset < 4; offset++) {
        for (let length = 0; length <= 37; length++) {
          const frame = backing.subarray(offset, offset + length);
          const result = splitChannels(frame, channelCount);
          const where = `channels ${channelCount} offset ${offset} length ${length}`;
          expect(result.channels, where).toEqual(reference(frame, channelCount));
          expect(result.droppedBytes, where).toBe(length % channelCount);
        }
      }
    }
  });

  it('decodes Node Buffers, including a slice at an odd offset as a socket may deliver', () => {
    const pooled = Buffer.from(noise(320, 3));
    const slice = Buffer.from(noise(3209, 3)).subarray(9);
    expect(slice.byteOffset % 2).toBe(1);
    expect(splitChannels(pooled, 2).channels).toEqual(reference(pooled, 2));
    expect(splitChannels(slice, 2).channels).toEqual(reference(slice, 2));
  });

  it.each([
    ['200 ms stereo', 3200],
    ['64 KiB, the largest WebSocket payload', 65536],
    ['4 MiB + 3 bytes', (4 << 20) + 3],
  ])('decodes a %s frame', (_, length) => {
    const frame = noise(length + 1, length).subarray(1);
    const result = splitChannels(frame, 2);
    expect(result.samplesPerChannel).toBe(length >>> 1);
    expect(result.droppedBytes).toBe(length & 1);
    expectSameSamples(result.channels, reference(frame, 2));
  });

  it('leaves the frame untouched', () => {
    const frame = noise(101, 9);
    const copy = frame.slice();
    splitChannels(frame, 2);
    splitChannels(frame, 1);
    expect(frame).toEqual(copy);
  });

  it('gives each stereo frame its own region of fresh memory, channels exactly sized, aligned and not overlapping', () => {
    const frame = noise(3200);
    const outputs = Array.from({ length: 50 }, () => splitChannels(frame, 2).channels); // spans several slabs
    for (const [a, b] of outputs) {
      expect(a.buffer).toBe(b.buffer);
      expect(a.byteOffset % 4).toBe(0);
      expect(b.byteOffset).toBe(a.byteOffset + 3200);
      expect([a.length, b.length]).toEqual([1600, 1600]);
    }
    // Writing into one frame's output leaves every other's samples as decoded.
    for (const [a, b] of outputs.slice(1)) {
      a.fill(7);
      b.fill(7);
    }
    expectSameSamples(outputs[0], reference(frame, 2));
    const regions = outputs.flatMap(([a]) => [{ buffer: a.buffer, from: a.byteOffset, to: a.byteOffset + 6400 }]);
    for (const [i, r] of regions.entries()) {
      for (const other of regions.slice(i + 1)) {
        if (other.buffer === r.buffer) expect(other.from >= r.to || other.to <= r.from).toBe(true);
      }
    }
  });

  it('gives a frame too large for the slab its own ArrayBuffer', () => {
    const frame = noise(64 * 1024);
    const [a, b] = splitChannels(frame, 2).channels;
    expect(a.buffer).toBe(b.buffer);
    expect(a.buffer.byteLength).toBe(64 * 1024 * 2);
    expectSameSamples([a, b], reference(frame, 2));
  });

  it('decodes every length and byte alignment of a stereo frame like the reference', () => {
    const backing = noise(80, 9);
    for (let offset = 0; offset < 4; offset++) {
      for (let length = 0; length <= 64; length++) {
        const frame = backing.subarray(offset, offset + length);
        const { channels, droppedBytes } = splitChannels(frame, 2);
        expectSameSamples(channels, reference(frame, 2));
        expect(droppedBytes).toBe(length % 2);
        // Channel b never reaches into a: a sample count that is odd still leaves them apart.
        expect(channels[1].byteOffset).toBeGreaterThanOrEqual(channels[0].byteLength);
      }
    }
  });

  describe('with lent output buffers', () => {
    it('writes into buffers of the exact size', () => {
      const into = [new Int16Array(1600), new Int16Array(1600)];
      const frame = noise(3200, 5);
      const { channels } = splitChannels(frame, 2, into);
      expect(channels[0]).toBe(into[0]);
      expect(channels[1]).toBe(into[1]);
      expect(channels).toEqual(reference(frame, 2));
    });

    it('returns the leading part of larger buffers', () => {
      const into = [new Int16Array(4000).fill(9), new Int16Array(4000).fill(9)];
      const frame = noise(3200, 6);
      const { channels } = splitChannels(frame, 2, into);
      expect(channels[0].buffer).toBe(into[0].buffer);
      expect(channels[1].buffer).toBe(into[1].buffer);
      expect(channels).toEqual(reference(frame, 2));
      expect(into[0][1600]).toBe(9);
    });

    it('allocates instead of using buffers that are too small', () => {
      const into = [new Int16Array(10), new Int16Array(10)];
      const frame = noise(3200, 8);
      const { channels } = splitChannels(frame, 2, into);
      expect(channels[0]).not.toBe(into[0]);
      expect(channels).toEqual(reference(frame, 2));
    });

    it('handles buffers that are not 4-byte aligned', () => {
      const backing = new ArrayBuffer(8000);
      const into = [new Int16Array(backing, 2, 1601), new Int16Array(backing, 4002, 1601)];
      for (const length of [3200, 3201, 3202, 7]) {
        const frame = noise(length, length);
        const { channels } = splitChannels(frame, 2, into);
        expect(channels, `length ${length}`).toEqual(reference(frame, 2));
      }
    });

    it('reuses a mono buffer', () => {
      const into = [new Int16Array(1600)];
      const frame = noise(1600, 4);
      const { channels } = splitChannels(frame, 1, into);
      expect(channels[0]).toBe(into[0]);
      expect(channels).toEqual(reference(frame, 1));
    });
  });

  it('rejects a channel count other than 1 or 2', () => {
    expect(() => splitChannels(new Uint8Array(4), 3 as 2)).toThrow(RangeError);
  });
});
