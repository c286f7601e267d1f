import type { Role } from '#core/domain/participant.ts';
import { LITTLE_ENDIAN } from '#gateway/audio/mulaw.ts';

/** One uniform chunk for Amazon Transcribe: interleaved PCM16LE in the assembler's channel order. */
export interface AudioFrame {
  /** Call-timeline position of the frame's first sample (8 kHz). */
  startSample: number;
  /** Samples per channel. */
  samples: number;
  bytes: Uint8Array;
}

export interface FrameAssemblerOptions {
  /** Samples per channel in a full frame (800 = 100 ms at 8 kHz). */
  frameSamples: number;
  /**
   * How far one role may run ahead of a silent one before the silent one is zero-filled, so a
   * participant who stops writing cannot hold the other one's audio back forever.
   */
  maxSkewSamples: number;
}

interface Chunk {
  start: number;
  pcm: Int16Array;
}

/** Audio one role has written that is not yet in a frame. */
class Track {
  private chunks: Chunk[] = [];
  /** End of the furthest write: the role has said everything it will say before this sample. */
  horizon = Number.NEGATIVE_INFINITY;

  add(pcm: Int16Array, start: number, floor: number): void {
    const end = start + pcm.length;
    // Overlaps with what this role already wrote, or with frames already sent, cannot be re-sent.
    const from = Math.max(start, floor, this.horizon);
    if (end > from) this.chunks.push({ start: from, pcm: pcm.subarray(from - start) });
    this.horizon = Math.max(this.horizon, end);
  }

  get firstPending(): number | undefined {
    return this.chunks[0]?.start;
  }

  get pendingEnd(): number | undefined {
    const last = this.chunks.at(-1);
    return last && last.start + last.pcm.length;
  }

  /** Copies [from, from + count) into one channel of `out`, leaving absent samples at zero, and forgets them. */
  take(from: number, count: number, out: Int16Array, channel: number, channels: number): void {
    const to = from + count;
    while (this.chunks.length > 0) {
      const chunk = this.chunks[0];
      if (chunk.start >= to) break;
      const chunkEnd = chunk.start + chunk.pcm.length;
      // Counted in samples from the chunk's start, never in absolute positions, so the loop always advances.
      const first = Math.max(chunk.start, from) - chunk.start;
      const last = Math.min(chunkEnd, to) - chunk.start;
      const offset = chunk.start - from;
      const pcm = chunk.pcm;
      for (let i = first, o = (offset + first) * channels + channel; i < last; i++, o += channels) out[o] = pcm[i];
      if (chunkEnd > to) {
        this.chunks[0] = { start: to, pcm: chunk.pcm.subarray(to - chunk.start) };
        break;
      }
      this.chunks.shift();
    }
  }
}

/**
 * Turns per-role PCM written on the call timeline into uniform interleaved frames. A frame is cut once
 * every role has written past it, so writes may come in any role order. Time nobody wrote audio for is
 * skipped rather than filled with silence: the frame's `startSample` then jumps and the stream clock
 * records the jump. Silence is only inserted inside a frame, or for a role lagging by `maxSkewSamples`.
 */
export class FrameAssembler {
  private readonly tracks: Track[];
  private cursor: number | undefined;

  constructor(
    private readonly channels: readonly Role[],
    private readonly options: FrameAssemblerOptions,
  ) {
    this.tracks = channels.map(() => new Track());
  }

  /** Adds one role's audio and returns the frames that became complete. */
  write(role: Role, pcm: Int16Array, startSample: number): AudioFrame[] {
    // Positions come from the wire (through the timeline): anything but an exact sample index is refused.
    if (!Number.isSafeInteger(startSample) || startSample < 0) throw new RangeError(`FrameAssembler: bad start sample ${startSample}`);
    const channel = this.channels.indexOf(role);
    if (channel < 0) return [];
    this.tracks[channel].add(pcm, startSample, this.cursor ?? Number.NEGATIVE_INFINITY);
    return this.drain(false);
  }

  /** Cuts everything pending, the last frame possibly short, e.g. before a stream is ended. */
  flush(): AudioFrame[] {
    return this.drain(true);
  }

  private drain(force: boolean): AudioFrame[] {
    const frames: AudioFrame[] = [];
    const frameSamples = this.options.frameSamples;
    for (;;) {
      const first = this.firstPending();
      if (first === undefined) return frames;
      let start = this.cursor ?? first;
      // A whole frame nobody wrote audio for is skipped. Deciding that only once the new start is settled
      // guarantees no role can still fill the skipped time.
      if (first >= start + frameSamples) start = first;
      if (!force && !this.isSettled(start + frameSamples)) return frames;
      const samples = force ? Math.min(frameSamples, this.pendingEnd() - start) : frameSamples;
      if (!(samples > 0)) return frames; // nothing left to cut: never loop without advancing
      frames.push(this.cut(start, samples));
      this.cursor = start + samples;
    }
  }

  /** No role will write anything before `sample` any more (or waiting longer would starve the others). */
  private isSettled(sample: number): boolean {
    const horizons = this.tracks.map((track) => track.horizon);
    return Math.min(...horizons) >= sample || Math.max(...horizons) - sample >= this.options.maxSkewSamples;
  }

  private cut(start: number, samples: number): AudioFrame {
    const channels = this.tracks.length;
    const out = new Int16Array(samples * channels);
    this.tracks.forEach((track, channel) => track.take(start, samples, out, channel, channels));
    const bytes = new Uint8Array(out.buffer);
    // Transcribe takes little-endian PCM; samples were stored in the machine's order.
    if (!LITTLE_ENDIAN) for (let i = 0; i < bytes.length; i += 2) [bytes[i], bytes[i + 1]] = [bytes[i + 1], bytes[i]];
    return { startSample: start, samples, bytes };
  }

  private firstPending(): number | undefined {
    const starts = this.tracks.map((track) => track.firstPending).filter((start) => start !== undefined);
    return starts.length > 0 ? Math.min(...starts) : undefined;
  }

  private pendingEnd(): number {
    return Math.max(...this.tracks.map((track) => track.pendingEnd ?? Number.NEGATIVE_INFINITY));
  }
}
