const SAMPLES_PER_MS = 8;
const SAMPLE_RATE = 8000;

interface Segment {
  /** Samples per channel sent on this stream before the segment. */
  stream: number;
  /** Call-timeline sample the segment starts at. */
  call: number;
}

/**
 * Maps one Transcribe stream's own time (zero when opened, counting only audio actually sent) to the
 * call timeline. Every jump in the call position of the audio sent opens a new segment, so results
 * stay exact across skipped time without sending silence for it.
 */
export class StreamClock {
  private readonly segments: Segment[] = [];
  private sent = 0;
  private nextCall: number | undefined;

  /** Records audio handed to the stream: `samples` per channel starting at call sample `callStart`. */
  append(callStart: number, samples: number): void {
    if (callStart !== this.nextCall) this.segments.push({ stream: this.sent, call: callStart });
    this.sent += samples;
    this.nextCall = callStart + samples;
  }

  get sentSamples(): number {
    return this.sent;
  }

  /**
   * Converts Transcribe seconds to integer call-timeline milliseconds. An end time that falls exactly on
   * a jump belongs to the audio before it, a start time to the audio after it.
   */
  toCallMs(seconds: number, edge: 'start' | 'end'): number {
    const streamSample = seconds * SAMPLE_RATE;
    const segment = this.segmentAt(streamSample, edge);
    const callSample = segment ? segment.call + (streamSample - segment.stream) : streamSample;
    return Math.round(callSample / SAMPLES_PER_MS);
  }

  private segmentAt(streamSample: number, edge: 'start' | 'end'): Segment | undefined {
    // Results arrive for recent audio, so search from the newest segment.
    for (let i = this.segments.length - 1; i > 0; i--) {
      const segment = this.segments[i];
      if (edge === 'start' ? segment.stream <= streamSample : segment.stream < streamSample) return segment;
    }
    return this.segments[0];
  }
}
