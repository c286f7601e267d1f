import { MAX_CALL_SECONDS } from '../audiohook/duration.ts';

/** AudioHook audio is always 8 kHz (§7.1). */
export const AUDIOHOOK_SAMPLE_RATE = 8000;

/** Exact, unrounded: callers that need integer milliseconds round where they store them. */
export function samplesToMs(samples: number, rate = AUDIOHOOK_SAMPLE_RATE): number {
  return (samples * 1000) / rate;
}

/**
 * A session's position on the client's stream clock (AudioHook §11): samples received per channel
 * plus every span the client reports as discarded (`discarded` and `resumed` messages). Recognition
 * results are placed on this timeline, and it should match each message's `position`.
 */
export class AudioTimeline {
  #received = 0;
  #discardedSeconds = 0;

  constructor(readonly sampleRate: number = AUDIOHOOK_SAMPLE_RATE) {}

  /** Samples received per channel. */
  get samples(): number {
    return this.#received;
  }

  /**
   * Discarded time in samples. The seconds are summed and rounded once, so many small discards do not
   * accumulate rounding error.
   */
  get discardedSamples(): number {
    return Math.round(this.#discardedSeconds * this.sampleRate);
  }

  get positionSamples(): number {
    return this.#received + this.discardedSamples;
  }

  addReceived(samplesPerChannel: number): void {
    if (!Number.isSafeInteger(samplesPerChannel) || samplesPerChannel < 0) {
      throw new RangeError(`addReceived: expected a sample count, got ${samplesPerChannel}`);
    }
    this.#received += samplesPerChannel;
  }

  /**
   * Adds a discarded span and returns the seconds actually added: the total is capped at the longest
   * a call can be, so however many spans a client reports, positions stay exact integers and every
   * loop over them advances.
   */
  addDiscarded(durationSeconds: number): number {
    if (!Number.isFinite(durationSeconds) || durationSeconds < 0) {
      throw new RangeError(`addDiscarded: expected non-negative seconds, got ${durationSeconds}`);
    }
    const added = Math.min(durationSeconds, MAX_CALL_SECONDS - this.#discardedSeconds);
    this.#discardedSeconds += added;
    return added;
  }

  positionMs(): number {
    return samplesToMs(this.positionSamples, this.sampleRate);
  }

  positionSeconds(): number {
    return this.positionSamples / this.sampleRate;
  }
}
