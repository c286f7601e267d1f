import type { Role } from '#core/domain/participant.ts';
import { logger } from '#core/logger.ts';
import type { RecognitionError, RecognitionResult, RecognizedWord } from '../recognizer.ts';
import type { DecoderPool, JobOutcome, SegmentJob } from './decoder-pool.ts';
import type { DecoderVocabulary } from './decoder-vocabulary.ts';
import type { SegmentReport } from './embedded-config.ts';
import { FRAME_MS } from './pocketsphinx-decoder.ts';
import type { DecodedUtterance } from './pocketsphinx-decoder.ts';
import type { SegmenterEvent, SegmenterOptions } from './segmenter.ts';
import { Segmenter } from './segmenter.ts';

export interface SpeakerTranscriberOptions {
  role: Role;
  pool: DecoderPool;
  segmenter: Partial<SegmenterOptions>;
  wordTimings: boolean;
  /** The span's custom vocabulary; the first segment waits for it to settle (the span bounds that wait). */
  vocabulary?: Promise<DecoderVocabulary | undefined>;
  onResult(result: RecognitionResult): void;
  onError(error: RecognitionError): void;
  onSegment?: (report: SegmentReport) => void;
}

/** What the recognizer knows about a segment beyond its audio. */
export interface SegmentTiming {
  startSample: number;
  /** Where the voice detector heard the speech begin (after the segment's pre-roll). */
  speechStartSample?: number;
  endSample?: number;
  speechEndSample?: number;
  decidedAtSample?: number;
}

const SAMPLES_PER_MS = 8;

/**
 * One participant of one span: cuts their audio into segments and turns each segment's decode into a
 * result on the call timeline. A speaker's segments are decoded one after the other, each starting from
 * the cepstral mean the previous one left, so results arrive in order.
 */
export class SpeakerTranscriber {
  readonly #o: SpeakerTranscriberOptions;
  readonly #segmenter: Segmenter;
  #current: { job: SegmentJob; timing: SegmentTiming } | undefined;
  /** Settles when every segment so far has been decoded and reported; yields the speaker's mean. */
  #chain: Promise<Float32Array | undefined>;
  #vocabulary: DecoderVocabulary | undefined;

  constructor(options: SpeakerTranscriberOptions) {
    this.#o = options;
    this.#segmenter = new Segmenter(options.segmenter);
    this.#chain = (options.vocabulary ?? Promise.resolve(undefined)).then(
      (vocabulary) => void (this.#vocabulary = vocabulary),
      () => undefined,
    );
  }

  write(pcm: Int16Array, startSample: number): void {
    this.#handle(this.#segmenter.push(pcm, startSample));
  }

  /** Closes the open segment and waits until every segment's result has been reported. */
  async flush(): Promise<void> {
    this.#handle(this.#segmenter.flush());
    await this.#chain;
  }

  #handle(events: SegmenterEvent[]): void {
    for (const event of events) {
      if (event.type === 'open') {
        this.#open(event.startSample, event.speechStartSample);
      } else if (event.type === 'audio') {
        this.#current?.job.append(event.pcm);
      } else if (event.type === 'pause') {
        this.#current?.job.pause();
      } else if (this.#current) {
        const { job, timing } = this.#current;
        timing.endSample = event.endSample;
        timing.speechEndSample = event.speechEndSample;
        timing.decidedAtSample = event.decidedAtSample;
        job.close();
        this.#current = undefined;
      }
    }
  }

  #open(startSample: number, speechStartSample: number): void {
    const job = this.#o.pool.open();
    const timing: SegmentTiming = { startSample, speechStartSample };
    this.#current = { job, timing };
    // A lost segment is reported when it is lost, not when its turn in the speaker's order comes: a stop
    // that arrives while earlier segments still decode must already see the loss in its summary.
    void job.outcome.then((outcome) => {
      if (!outcome.ok) this.#o.onError(outcome.error);
    });
    this.#chain = this.#chain.then(async (mean) => {
      job.start(mean, this.#vocabulary);
      const outcome = await job.outcome;
      try {
        return this.#report(outcome, timing) ?? mean;
      } catch (error) {
        // A failing callback must not stop this speaker's later segments.
        logger.error('reporting a recognized segment failed', { error, role: this.#o.role });
        return mean;
      }
    });
  }

  /** Reports one segment's outcome; returns the speaker's new cepstral mean when there is one. */
  #report(outcome: JobOutcome, timing: SegmentTiming): Float32Array | undefined {
    if (!outcome.ok) return undefined; // reported as it happened (#open)
    const result = toResult(this.#o.role, outcome.utterance, timing, this.#o.wordTimings);
    this.#o.onSegment?.({
      role: this.#o.role,
      startMs: timing.startSample / SAMPLES_PER_MS,
      endMs: (timing.endSample ?? timing.startSample) / SAMPLES_PER_MS,
      speechEndMs: (timing.speechEndSample ?? timing.startSample) / SAMPLES_PER_MS,
      decidedAtMs: (timing.decidedAtSample ?? timing.startSample) / SAMPLES_PER_MS,
      busyMs: outcome.busyMs,
      finishMs: outcome.finishMs,
      recognized: result !== undefined,
    });
    if (result) this.#o.onResult(result);
    return outcome.mean;
  }
}

/** Maps a decoded segment onto the call timeline; undefined when nothing was recognized. */
function toResult(role: Role, utterance: DecodedUtterance, timing: SegmentTiming, wordTimings: boolean): RecognitionResult | undefined {
  if (!utterance.text) return undefined;
  const segmentStartMs = timing.startSample / SAMPLES_PER_MS;
  const segmentEndMs = (timing.endSample ?? Infinity) / SAMPLES_PER_MS;
  const words: RecognizedWord[] = utterance.words.map((w) => ({
    content: w.word,
    kind: 'word',
    startMs: Math.round(segmentStartMs + w.startFrame * FRAME_MS),
    endMs: Math.round(Math.min(segmentStartMs + (w.endFrame + 1) * FRAME_MS, segmentEndMs)),
    confidence: round(w.confidence),
  }));
  // The decoder tends to place the first word late and the last one early (soft edges read as
  // silence); the voice detector's edges of the speech bound the utterance where they are wider.
  const speechStartMs = timing.speechStartSample !== undefined ? timing.speechStartSample / SAMPLES_PER_MS : Infinity;
  const speechEndMs = timing.speechEndSample !== undefined ? timing.speechEndSample / SAMPLES_PER_MS : -Infinity;
  const firstMs = words.length ? words[0].startMs : segmentStartMs;
  const lastMs = words.length ? words[words.length - 1].endMs : Number.isFinite(segmentEndMs) ? segmentEndMs : segmentStartMs;
  const result: RecognitionResult = {
    role,
    text: utterance.text,
    startMs: Math.round(Math.max(segmentStartMs, Math.min(firstMs, speechStartMs))),
    endMs: Math.round(Math.min(segmentEndMs, Math.max(lastMs, speechEndMs))),
  };
  if (utterance.confidence !== undefined) result.confidence = round(utterance.confidence);
  if (wordTimings) result.words = words;
  return result;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
