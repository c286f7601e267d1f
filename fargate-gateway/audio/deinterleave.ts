import { decodeMulaw, LITTLE_ENDIAN, MULAW_DECODE_PAIRS, MULAW_DECODE_TABLE } from './mulaw.ts';

export interface SplitFrame {
  /** PCM16 per channel, in the frame's (negotiated) channel order. */
  channels: Int16Array[];
  samplesPerChannel: number;
  /** Bytes of a trailing incomplete sample group that were not decoded (AudioHook §16: log, go on). */
  droppedBytes: number;
}

/**
 * De-interleaves one PCMU audio frame and decodes it in the same pass.
 *
 * `into` lends output buffers to reuse (one per channel); a buffer too small for this frame is replaced
 * by a fresh one, so the returned `channels` are always the arrays to read. Without `into` the output
 * is fresh and safe to queue: a stereo frame's two channels are views into a shared slab (see `carve`),
 * so a consumer may keep them but must copy before it transfers one to another thread.
 */
export function splitChannels(frame: Uint8Array, channelCount: 1 | 2, into?: readonly Int16Array[]): SplitFrame {
  if (channelCount !== 1 && channelCount !== 2) {
    throw new RangeError(`splitChannels: channelCount must be 1 or 2, got ${String(channelCount)}`);
  }
  const samples = channelCount === 1 ? frame.length : frame.length >>> 1;
  const droppedBytes = frame.length - samples * channelCount;
  if (channelCount === 2 && into === undefined && LITTLE_ENDIAN) {
    return { channels: decodeStereoFresh(frame, samples), samplesPerChannel: samples, droppedBytes };
  }
  const first = output(into?.[0], samples);
  if (channelCount === 1) {
    decodeMulaw(frame, first);
    return { channels: [first], samplesPerChannel: samples, droppedBytes };
  }
  const second = output(into?.[1], samples);
  decodeStereo(frame, samples, first, second);
  return { channels: [first, second], samplesPerChannel: samples, droppedBytes };
}

/**
 * One process-wide pair of output buffers to lend to `splitChannels`, grown to the largest frame seen
 * (frames are bounded by the WebSocket's payload limit). Safe to share between calls because decoding
 * and everything that reads the output run synchronously on one thread, and whoever reads it copies
 * what it keeps before the next frame is decoded (RecognitionSession.copiesInput).
 */
let scratch: Int16Array[] = [new Int16Array(0), new Int16Array(0)];

export function scratchChannels(samples: number): readonly Int16Array[] {
  if (scratch[0].length < samples) scratch = [new Int16Array(samples), new Int16Array(samples)];
  return scratch;
}

function output(lent: Int16Array | undefined, samples: number): Int16Array {
  if (lent === undefined || lent.length < samples) return new Int16Array(samples);
  return lent.length === samples ? lent : lent.subarray(0, samples);
}

/**
 * Fresh output for frames up to a quarter of a slab is carved from a shared slab, as Node's Buffer pool
 * does for small buffers: a new ArrayBuffer per frame (25,000 a second at 5,000 calls) costs more in
 * allocation, zero-filling and garbage collection than the decoding itself. No region is handed out
 * twice, so whoever keeps a frame's output keeps its samples (and its 64 KiB slab alive).
 */
const SLAB_BYTES = 64 * 1024;
let slab = new ArrayBuffer(SLAB_BYTES);
let slabUsed = SLAB_BYTES;

/**
 * Stereo into one fresh region: channel a in its first half, b in its second (4-byte aligned), written
 * two samples per 32-bit store through a single view.
 */
function decodeStereoFresh(frame: Uint8Array, samples: number): Int16Array[] {
  const padded = (samples + 1) & ~1;
  const bytes = padded * 4; // a multiple of 4: every region stays 4-byte aligned
  let buffer: ArrayBuffer;
  let byteOffset = 0;
  if (bytes > SLAB_BYTES / 4) buffer = new ArrayBuffer(bytes);
  else {
    if (slabUsed + bytes > SLAB_BYTES) {
      slab = new ArrayBuffer(SLAB_BYTES);
      slabUsed = 0;
    }
    buffer = slab;
    byteOffset = slabUsed;
    slabUsed += bytes;
  }
  const words = new Int32Array(buffer, byteOffset, padded);
  const second = padded >>> 1;
  const pairs = samples >>> 1;
  // DataView because a frame from the socket can start at any byte offset.
  const view = new DataView(frame.buffer, frame.byteOffset, samples << 1);
  const table = MULAW_DECODE_PAIRS;
  for (let p = 0; p < pairs; p++) {
    // v holds a0 b0 a1 b1 (low byte first): each channel's pair is one lookup.
    const v = view.getUint32(p << 2, true);
    words[p] = table[(v & 0xff) | ((v >>> 8) & 0xff00)];
    words[second + p] = table[((v >>> 8) & 0xff) | ((v >>> 16) & 0xff00)];
  }
  const a = new Int16Array(buffer, byteOffset, samples);
  const b = new Int16Array(buffer, byteOffset + padded * 2, samples);
  if (samples & 1) {
    a[samples - 1] = MULAW_DECODE_TABLE[frame[2 * samples - 2]];
    b[samples - 1] = MULAW_DECODE_TABLE[frame[2 * samples - 1]];
  }
  return [a, b];
}

function decodeStereo(frame: Uint8Array, samples: number, a: Int16Array, b: Int16Array): void {
  const table = MULAW_DECODE_TABLE;
  let i = 0;
  if (LITTLE_ENDIAN && ((a.byteOffset | b.byteOffset) & 3) === 0 && samples >= 2) {
    // One read covers two sample groups (a0 b0 a1 b1); each channel gets its two samples in one 32-bit
    // store. DataView because a frame from the socket can start at any byte offset.
    const view = new DataView(frame.buffer, frame.byteOffset, samples << 1);
    const pairs = samples >>> 1;
    const a32 = new Int32Array(a.buffer, a.byteOffset, pairs);
    const b32 = new Int32Array(b.buffer, b.byteOffset, pairs);
    const pairTable = MULAW_DECODE_PAIRS;
    for (let p = 0; p < pairs; p++) {
      const v = view.getUint32(p << 2, true);
      a32[p] = pairTable[(v & 0xff) | ((v >>> 8) & 0xff00)];
      b32[p] = pairTable[((v >>> 8) & 0xff) | ((v >>> 16) & 0xff00)];
    }
    i = pairs << 1;
  }
  for (let j = i << 1; i < samples; i++, j += 2) {
    a[i] = table[frame[j]];
    b[i] = table[frame[j + 1]];
  }
}
