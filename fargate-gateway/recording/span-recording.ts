import type { Role } from '#core/domain/participant.ts';
import type { AppLogger } from '#core/logger.ts';
import { RECORDING_FRAME_BYTES } from '#core/recordings/wav.ts';
import type { WavUpload } from './wav-upload.ts';

/**
 * The audio of one start→stop span as a stereo recording: customer left, agent right, aligned on the
 * call's audio timeline. Sample 0 of the file is the timeline position where the span started; time
 * the client reported as discarded (a `discarded` message, a pause) is written as silence, so a
 * position in the file is always `offset + t` on the timeline, the same clock as utterance offsets.
 * An absent participant's channel is silent.
 *
 * Audio is handed to the upload in order by one pump; frames wait in a queue bounded in bytes. When S3
 * cannot keep up (the queue overflows) or fails, the recording is dropped and logged; the call and its
 * transcription never wait for, or fail because of, a recording.
 */

export interface SpanRecordingOptions {
  upload: WavUpload;
  /** Timeline position (samples) of the recording's first sample. */
  startSample: number;
  logger: AppLogger;
  /** Audio waiting for the upload before the recording is given up (default 4 MiB, about two minutes). */
  maxQueuedBytes?: number;
}

/** Silence is written from this one zeroed buffer, never allocated per gap. */
const SILENCE = Buffer.alloc(64 * 1024);

type Item = Buffer | { silenceBytes: number };

export class SpanRecording {
  private readonly queue: Item[] = [];
  private queuedBytes = 0;
  private nextSample: number;
  private pumping: Promise<void> | undefined;
  private failed = false;
  private closed = false;
  private readonly maxQueuedBytes: number;

  constructor(private readonly options: SpanRecordingOptions) {
    this.nextSample = options.startSample;
    this.maxQueuedBytes = options.maxQueuedBytes ?? 4 * 1024 * 1024;
  }

  /** One frame of the call: each present participant's PCM (same length), starting at `startSample`. */
  write(pcm: Partial<Record<Role, Int16Array>>, startSample: number, samples: number): void {
    if (this.failed || this.closed || samples <= 0) return;
    if (startSample > this.nextSample) this.enqueue({ silenceBytes: (startSample - this.nextSample) * RECORDING_FRAME_BYTES });
    // Audio the timeline places before the recording's end (never expected) is not written twice.
    const skip = Math.max(0, this.nextSample - startSample);
    if (skip >= samples) return;
    const frame = Buffer.allocUnsafe((samples - skip) * RECORDING_FRAME_BYTES);
    const { customer, agent } = pcm;
    for (let i = skip, at = 0; i < samples; i++, at += RECORDING_FRAME_BYTES) {
      frame.writeInt16LE(customer?.[i] ?? 0, at);
      frame.writeInt16LE(agent?.[i] ?? 0, at + 2);
    }
    this.nextSample = startSample + samples;
    this.enqueue(frame);
  }

  /** Stops recording and stores the file; resolves false when the recording was dropped. */
  async close(): Promise<boolean> {
    this.closed = true;
    while (this.pumping) await this.pumping;
    if (this.failed) return false;
    try {
      const { bytes } = await this.options.upload.close();
      this.options.logger.info('call recording stored', { bytes });
      return true;
    } catch (error) {
      this.options.logger.error('call recording could not be stored', { error });
      return false;
    }
  }

  private enqueue(item: Item): void {
    if (Buffer.isBuffer(item)) {
      this.queuedBytes += item.length;
      if (this.queuedBytes > this.maxQueuedBytes) return this.fail(new Error('the recordings bucket is not keeping up'));
    }
    this.queue.push(item);
    this.kick();
  }

  private kick(): void {
    if (this.pumping || this.failed || this.queue.length === 0) return;
    this.pumping = this.pump().finally(() => {
      this.pumping = undefined;
      this.kick();
    });
  }

  private async pump(): Promise<void> {
    const { upload } = this.options;
    try {
      for (let item = this.queue.shift(); item !== undefined && !this.failed; item = this.queue.shift()) {
        if (Buffer.isBuffer(item)) {
          this.queuedBytes -= item.length;
          await upload.append(item);
          continue;
        }
        for (let left = item.silenceBytes; left > 0 && !this.failed; left -= SILENCE.length)
          await upload.append(SILENCE.subarray(0, Math.min(left, SILENCE.length)));
      }
    } catch (error) {
      this.fail(error);
    }
  }

  private fail(error: unknown): void {
    if (this.failed) return;
    this.failed = true;
    this.queue.length = 0;
    this.queuedBytes = 0;
    this.options.logger.error('call recording dropped', { error });
    void this.options.upload.abort();
  }
}
