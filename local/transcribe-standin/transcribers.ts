import { randomUUID } from 'node:crypto';
import { ROLES } from '#core/domain/participant.ts';
import type { Role } from '#core/domain/participant.ts';
import type { RecognitionResult, Recognizer, RecognitionSession } from '#gateway/recognition/recognizer.ts';
import type { StreamRequest, TranscriptResult } from './wire.ts';

/**
 * What answers one stand-in stream: audio in (interleaved PCM16LE of the stream's channels), Transcribe
 * results out. `engine` runs the embedded speech engine on the audio; `echo` answers scripted results
 * paced by the amount of audio received, without decoding it (for capacity benchmarks).
 */
export interface StreamTranscriber {
  write(audio: Uint8Array): void;
  /** The audio has ended: resolves once every remaining result has been emitted. */
  end(): Promise<void>;
  /** The stream is gone: stop working for it. */
  abort(): void;
}

export type TranscriptResultsSink = (results: TranscriptResult[]) => void;

const BYTES_PER_SAMPLE = 2;

/** Transcribe's channel id of channel `index`, absent on a single-channel stream. */
function channelId(request: StreamRequest, index: number): string | undefined {
  return request.channelIdentification ? `ch_${index}` : undefined;
}

const seconds = (ms: number): number => Math.round(ms) / 1000;

/**
 * Results of the embedded engine as Transcribe sends them: each final is preceded by partial results
 * for the same `ResultId` that grow word by word (Transcribe revises partials as audio arrives; the
 * embedded engine decides a segment at once, so its partials are the final's prefixes).
 */
export class EngineTranscriber implements StreamTranscriber {
  private readonly session: RecognitionSession;
  /** The engine's participant labels stand for channels: ch_0 and ch_1. */
  private readonly labels: readonly Role[];
  private carry = new Uint8Array(0);
  private samples = 0;
  private aborted = false;

  constructor(
    recognizer: Recognizer,
    private readonly request: StreamRequest,
    private readonly emit: TranscriptResultsSink,
    onError: (message: string) => void,
  ) {
    this.labels = ROLES.slice(0, request.channels);
    this.session = recognizer.open(
      {
        conversationId: request.sessionId ?? 'transcribe-stand-in',
        language: request.languageCode,
        sampleRate: 8000,
        roles: this.labels,
        wordTimings: true,
      },
      {
        onResult: (result) => {
          if (!this.aborted) this.emitFinal(result);
        },
        onError: (_role, error) => {
          if (!this.aborted) onError(error.message);
        },
      },
    );
  }

  write(audio: Uint8Array): void {
    const frameBytes = this.labels.length * BYTES_PER_SAMPLE;
    const bytes = this.carry.length > 0 ? concat(this.carry, audio) : audio;
    const whole = bytes.length - (bytes.length % frameBytes);
    this.carry = bytes.slice(whole);
    const count = whole / frameBytes;
    if (count === 0) return;
    const view = new DataView(bytes.buffer, bytes.byteOffset, whole);
    this.labels.forEach((label, channel) => {
      const pcm = new Int16Array(count);
      for (let i = 0; i < count; i++) pcm[i] = view.getInt16((i * this.labels.length + channel) * BYTES_PER_SAMPLE, true);
      this.session.write(label, pcm, this.samples);
    });
    this.samples += count;
  }

  end(): Promise<void> {
    return this.session.end();
  }

  abort(): void {
    this.aborted = true;
    void this.session.end().catch(() => undefined);
  }

  private emitFinal(result: RecognitionResult): void {
    const channel = this.labels.indexOf(result.role);
    const items = (result.words ?? []).map((word) => ({
      Type: word.kind === 'punctuation' ? ('punctuation' as const) : ('pronunciation' as const),
      Content: word.content,
      StartTime: seconds(word.startMs),
      EndTime: seconds(word.endMs),
      ...(word.confidence !== undefined && word.kind === 'word' && { Confidence: word.confidence }),
    }));
    const resultId = randomUUID();
    const base = {
      ResultId: resultId,
      StartTime: seconds(result.startMs),
      ...(channelId(this.request, channel) && { ChannelId: channelId(this.request, channel) }),
    };
    for (let n = 1; n < items.length; n++) {
      const prefix = items.slice(0, n);
      this.emit([
        {
          ...base,
          EndTime: prefix[n - 1].EndTime,
          IsPartial: true,
          Alternatives: [{ Transcript: prefix.map((i) => i.Content).join(' '), Items: prefix }],
        },
      ]);
    }
    this.emit([{ ...base, EndTime: seconds(result.endMs), IsPartial: false, Alternatives: [{ Transcript: result.text, Items: items }] }]);
  }
}

const ECHO_SCRIPT = ['thank you for calling', 'how can i help you today', 'i would like to check my balance', 'one moment please'];

/**
 * Scripted results paced by the audio received, never decoding it: per channel, a partial half-way
 * through every `finalEveryMs` of audio and a final at its end, as a busy call would produce. Costs the
 * stand-in next to nothing, so a benchmark measures the gateway.
 */
export class EchoTranscriber implements StreamTranscriber {
  private readonly frameBytes: number;
  private samples = 0;
  private emitted = 0;
  private counter = 0;

  constructor(
    private readonly request: StreamRequest,
    private readonly emit: TranscriptResultsSink,
    private readonly finalEveryMs = 2_000,
  ) {
    this.frameBytes = request.channels * BYTES_PER_SAMPLE;
  }

  write(audio: Uint8Array): void {
    this.samples += audio.length / this.frameBytes;
    const rate = this.request.sampleRate / 1000;
    const step = this.finalEveryMs / 2;
    while ((this.emitted + 1) * step * rate <= this.samples) {
      this.emitted += 1;
      this.emitWindow(this.emitted % 2 === 1);
    }
  }

  async end(): Promise<void> {
    if (this.emitted % 2 === 1) {
      this.emitted += 1;
      this.emitWindow(false);
    }
  }

  abort(): void {}

  private emitWindow(partial: boolean): void {
    const half = this.finalEveryMs / 2;
    const windowStart = Math.floor((this.emitted - 1) / 2) * this.finalEveryMs;
    const endMs = windowStart + (partial ? half : this.finalEveryMs);
    const text = ECHO_SCRIPT[Math.floor((this.emitted - 1) / 2) % ECHO_SCRIPT.length];
    const words = text.split(' ');
    const shown = partial ? words.slice(0, Math.ceil(words.length / 2)) : words;
    const results: TranscriptResult[] = [];
    for (let channel = 0; channel < this.request.channels; channel++) {
      const id = channelId(this.request, channel);
      const per = (endMs - windowStart) / shown.length;
      results.push({
        ResultId: `echo-${this.counter}-${channel}`,
        StartTime: seconds(windowStart),
        EndTime: seconds(endMs),
        IsPartial: partial,
        ...(id && { ChannelId: id }),
        Alternatives: [
          {
            Transcript: shown.join(' '),
            Items: shown.map((word, i) => ({
              Type: 'pronunciation',
              Content: word,
              StartTime: seconds(windowStart + i * per),
              EndTime: seconds(windowStart + (i + 1) * per),
              Confidence: 0.99,
            })),
          },
        ],
      });
    }
    if (!partial) this.counter += 1;
    this.emit(results);
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
