import { describe, expect, it } from 'vitest';
import { splitChannels } from '#gateway/audio/deinterleave.ts';
import { decodeMulaw, encodeMulaw, encodeMulawSample, MULAW_DECODE_TABLE } from '#gateway/audio/mulaw.ts';

/** The segment-base formulation of the expansion (as in most codec libraries), to cross-check ours. */
const SEGMENT_BASE = [0, 132, 396, 924, 1980, 4092, 8316, 16764];
function referenceDecode(byte: number): number {
  const u = ~byte & 0xff;
  const exponent = (u >> 4) & 7;
  const magnitude = SEGMENT_BASE[exponent] + ((u & 0x0f) << (exponent + 3));
  return u & 0x80 ? -magnitude | 0 : magnitude;
}

/** The classic CCITT encoder with its 256-entry segment table. */
const EXP_LUT = Array.from({ length: 256 }, (_, i) => {
  let exponent = 0;
  for (let v = i >> 1; v > 0; v >>= 1) exponent++;
  return exponent;
});
function referenceEncode(sample: number): number {
  let s = sample;
  const sign = (s >> 8) & 0x80;
  if (sign) s = -s;
  if (s > 32635) s = 32635;
  s += 0x84;
  const exponent = EXP_LUT[(s >> 7) & 0xff];
  const mantissa = (s >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

const ALL_BYTES = Uint8Array.from({ length: 256 }, (_, i) => i);

describe('µ-law decode table', () => {
  it.each([
    [0x00, -32124],
    [0x80, 32124],
    [0xff, 0],
    [0x7f, 0],
    [0xfe, 8],
    [0x7e, -8],
    [0xf0, 120],
    [0x70, -120],
    [0xef, 132],
    [0x8f, 16764],
    [0x0f, -16764],
    [0x10, -15996],
    [0x01, -31100],
    [0x81, 31100],
  ])('0x%s decodes to %i', (byte, sample) => {
    expect(MULAW_DECODE_TABLE[byte]).toBe(sample);
  });

  it('has 256 entries matching the segment-base formulation', () => {
    expect(MULAW_DECODE_TABLE).toBeInstanceOf(Int16Array);
    expect(MULAW_DECODE_TABLE.length).toBe(256);
    for (let b = 0; b < 256; b++) expect(MULAW_DECODE_TABLE[b], `byte ${b}`).toBe(referenceDecode(b));
  });

  it('is antisymmetric in the sign bit', () => {
    for (let b = 0; b < 128; b++) expect(MULAW_DECODE_TABLE[b] + MULAW_DECODE_TABLE[b | 0x80]).toBe(0);
  });

  it('is monotonic within each sign and spans ±32124', () => {
    for (let b = 1; b < 128; b++) expect(MULAW_DECODE_TABLE[b]).toBeGreaterThan(MULAW_DECODE_TABLE[b - 1]);
    for (let b = 129; b < 256; b++) expect(MULAW_DECODE_TABLE[b]).toBeLessThan(MULAW_DECODE_TABLE[b - 1]);
    expect(Math.max(...MULAW_DECODE_TABLE)).toBe(32124);
    expect(Math.min(...MULAW_DECODE_TABLE)).toBe(-32124);
  });
});

describe('decodeMulaw', () => {
  const reference = (src: Uint8Array) => Int16Array.from(src, (b) => referenceDecode(b));

  it('decodes every byte', () => {
    expect(decodeMulaw(ALL_BYTES)).toEqual(reference(ALL_BYTES));
  });

  it('decodes every pair of bytes (the two-sample table), mono and as stereo channels', () => {
    const pairs = new Uint8Array(2 * 65536);
    for (let p = 0; p < 65536; p++) [pairs[2 * p], pairs[2 * p + 1]] = [p & 0xff, p >>> 8];
    const expected = Int16Array.from(pairs, referenceDecode);
    expect(decodeMulaw(pairs)).toEqual(expected);
    const [a, b] = splitChannels(pairs, 2).channels;
    expect(a).toEqual(expected.filter((_, i) => i % 2 === 0));
    expect(b).toEqual(expected.filter((_, i) => i % 2 === 1));
  });

  it('decodes an empty input to an empty output', () => {
    expect(decodeMulaw(new Uint8Array(0))).toEqual(new Int16Array(0));
  });

  it('decodes at every source offset and length, including word tails', () => {
    const backing = Uint8Array.from({ length: 64 }, (_, i) => (i * 151 + 7) & 0xff);
    for (let offset = 0; offset < 4; offset++) {
      for (let length = 0; length <= 21; length++) {
        const src = backing.subarray(offset, offset + length);
        expect(decodeMulaw(src), `offset ${offset} length ${length}`).toEqual(reference(src));
      }
    }
  });

  it('writes into a given buffer, aligned or not', () => {
    const src = ALL_BYTES.subarray(3, 40);
    for (const byteOffset of [0, 2, 4, 6]) {
      const backing = new ArrayBuffer(200);
      const dst = new Int16Array(backing, byteOffset, src.length);
      const out = decodeMulaw(src, dst);
      expect(out).toBe(dst);
      expect(out).toEqual(reference(src));
    }
  });

  it('returns the leading part of a larger buffer, leaving the rest alone', () => {
    const dst = new Int16Array(10).fill(7);
    const out = decodeMulaw(Uint8Array.of(0x00, 0x80, 0xff), dst);
    expect(out.buffer).toBe(dst.buffer);
    expect([...out]).toEqual([-32124, 32124, 0]);
    expect([...dst.subarray(3)]).toEqual(Array(7).fill(7));
  });

  it('rejects a buffer that is too small', () => {
    expect(() => decodeMulaw(new Uint8Array(5), new Int16Array(4))).toThrow(RangeError);
  });

  it('decodes a 1 MiB buffer like the byte-by-byte reference', () => {
    const src = Uint8Array.from({ length: 1 << 20 }, (_, i) => (i * 2654435761) >>> 24);
    const actual = decodeMulaw(src);
    const expected = reference(src);
    const bytes = (a: Int16Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
    // toEqual would walk a million elements one by one for seconds.
    expect(bytes(actual).equals(bytes(expected))).toBe(true);
  });
});

describe('encodeMulaw', () => {
  it.each([
    [0, 0xff],
    [-1, 0x7f],
    [1, 0xff],
    [4, 0xfe],
    [3, 0xff],
    [-3, 0x7f],
    [-4, 0x7e],
    [32767, 0x80],
    [-32768, 0x00],
    [32124, 0x80],
    [-32124, 0x00],
  ])('encodes %i as 0x%s', (sample, byte) => {
    expect(encodeMulawSample(sample)).toBe(byte);
  });

  it('matches the classic table-driven encoder for every 16-bit value', () => {
    for (let x = -32768; x <= 32767; x++) {
      if (encodeMulawSample(x) !== referenceEncode(x)) {
        expect.fail(`sample ${x}: ${encodeMulawSample(x)} != ${referenceEncode(x)}`);
      }
    }
  });

  it('round-trips every byte, except that 0x7F and 0xFF both mean silence', () => {
    const again = encodeMulaw(decodeMulaw(ALL_BYTES));
    for (let b = 0; b < 256; b++) expect(again[b], `byte ${b}`).toBe(b === 0x7f ? 0xff : b);
  });

  it('reconstructs every 16-bit value within half a quantisation step', () => {
    const all = Int16Array.from({ length: 65536 }, (_, i) => i - 32768);
    const back = decodeMulaw(encodeMulaw(all));
    for (let i = 0; i < all.length; i++) {
      const x = all[i];
      const magnitude = Math.min(Math.abs(x), 32635);
      const exponent = Math.max(0, 31 - Math.clz32((magnitude + 0x84) >> 7));
      // Beyond the clip level the error also includes the clipped part.
      const bound = (4 << exponent) + (Math.abs(x) - magnitude);
      if (Math.abs(back[i] - x) > bound) expect.fail(`sample ${x} came back as ${back[i]}`);
    }
  });

  it('encodes a typed array element by element', () => {
    expect([...encodeMulaw(Int16Array.of(0, 32767, -32768, -5))]).toEqual([0xff, 0x80, 0x00, 0x7e]);
    expect(encodeMulaw(new Int16Array(0))).toEqual(new Uint8Array(0));
  });
});
