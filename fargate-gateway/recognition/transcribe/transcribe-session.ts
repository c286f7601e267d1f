import type { LanguageCode, Result, TranscribeStreamingClient } from '@aws-sdk/client-transcribe-streaming';
import { ROLES } from '#core/domain/participant.ts';
import type { Role } from '#core/domain/participant.ts';
import { logger } from '#core/logger.ts';
import { RecognitionError } from '../recognizer.ts';
import type { RecognitionListener, RecognitionOptions, RecognitionSession, RecognitionStatusCode } from '../recognizer.ts';
import { backoffDelay } from './backoff.ts';
import type { BackoffPolicy } from './backoff.ts';
import { FrameAssembler } from './frame-assembler.ts';
import type { AudioFrame } from './frame-assembler.ts';
import { mapResult } from './result-mapper.ts';
import { StreamAttempt } from './stream-attempt.ts';
import type { AttemptOutcome, StreamParameters } from './stream-attempt.ts';
import type { StreamClock } from './stream-clock.ts';
import { classifyStreamError, describeError } from './stream-errors.ts';
import { STREAM_STATUS } from '#core/contract/status-codes.ts';

export interface TranscribeSessionSettings {
  /** Without new audio for this long the stream is ended (Transcribe fails idle streams at 15 s). */
  idleGraceMs: number;
  /** A stream is replaced by a fresh one after this long (Transcribe's limit is 4 h). */
  rotateAfterMs: number;
  /** `end()` waits at most this long for the last finals. */
  endTimeoutMs: number;
  /** Consecutive restarts after transient failures before the span is given up. */
  maxRetries: number;
  backoff: BackoffPolicy;
  /** Frames a stream may have waiting before the oldest are dropped. */
  queueCapacityFrames: number;
  frameSamples: number;
  maxSkewSamples: number;
  now: () => number;
  random: () => number;
}

/** A failing stream that had run this long was healthy, so its failure starts a fresh retry budget. */
const HEALTHY_AFTER_MS = 60_000;

type SessionState = 'open' | 'ending' | 'ended' | 'failed';

/**
 * One start→stop span on Amazon Transcribe: a single stereo stream (ch_0 customer, ch_1 agent) or a
 * single-channel one for a mono session. Behind it is a chain of streams on one call timeline: a new
 * one after a pause, before the 4-hour limit, and after a transient failure, each with its own clock.
 */
export class TranscribeSession implements RecognitionSession {
  private readonly channelRoles: readonly Role[];
  private readonly assembler: FrameAssembler;
  private readonly parameters: StreamParameters;
  private readonly attempts = new Set<StreamAttempt>();
  private readonly running = new Set<Promise<void>>();
  /** Samples per channel each stream's full backlog dropped (never sent), reported when it settles. */
  private readonly droppedSamples = new Map<StreamAttempt, number>();
  private current: StreamAttempt | undefined;
  private state: SessionState = 'open';
  private consecutiveFailures = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  private ending: Promise<void> | undefined;

  constructor(
    private readonly client: TranscribeStreamingClient,
    private readonly options: RecognitionOptions,
    private readonly listener: RecognitionListener,
    private readonly settings: TranscribeSessionSettings,
  ) {
    this.channelRoles = ROLES.filter((role) => options.roles.includes(role));
    this.assembler = new FrameAssembler(this.channelRoles, {
      frameSamples: settings.frameSamples,
      maxSkewSamples: settings.maxSkewSamples,
    });
    this.parameters = {
      LanguageCode: options.language as LanguageCode,
      MediaEncoding: 'pcm',
      MediaSampleRateHertz: options.sampleRate,
      // Identification keeps the raw text and reports entities; masking happens downstream (§6).
      ContentIdentificationType: 'PII',
      ...(options.vocabularyName && { VocabularyName: options.vocabularyName }),
      ...(this.channelRoles.length > 1 && { EnableChannelIdentification: true, NumberOfChannels: 2 }),
    };
  }

  write(role: Role, pcm: Int16Array, startSample: number): void {
    if (this.state !== 'open') return;
    for (const frame of this.assembler.write(role, pcm, startSample)) this.dispatch(frame);
    this.armIdleTimer();
  }

  end(): Promise<void> {
    this.ending ??= this.finishSpan();
    return this.ending;
  }

  /** Drops every stream without waiting for results (the recognizer is closing). */
  abort(): void {
    clearTimeout(this.idleTimer);
    if (this.state === 'open' || this.state === 'ending') this.state = 'ended';
    this.current = undefined;
    for (const attempt of this.attempts) attempt.abort();
  }

  private async finishSpan(): Promise<void> {
    clearTimeout(this.idleTimer);
    if (this.state === 'open') {
      this.state = 'ending';
      for (const frame of this.assembler.flush()) this.dispatch(frame);
      this.current?.finish();
      this.current = undefined;
    }
    if (!(await this.settledWithin(this.settings.endTimeoutMs))) {
      logger.warn('Transcribe finals not flushed in time; dropping the streams', this.logContext());
      for (const attempt of this.attempts) attempt.abort();
      await this.allSettled();
    }
    if (this.state === 'ending') this.state = 'ended';
  }

  private dispatch(frame: AudioFrame): void {
    let attempt = this.current;
    if (attempt && this.settings.now() - attempt.createdAt >= this.settings.rotateAfterMs) {
      logger.info('Rotating Transcribe stream before its duration limit', this.logContext(attempt));
      attempt.finish();
      attempt = undefined;
    }
    attempt ??= this.launch([], 0, false);
    this.current = attempt;
    attempt.push(frame);
  }

  /** A pause (or lost audio) longer than the grace ends the stream; the next audio opens a new one. */
  private armIdleTimer(): void {
    if (this.idleTimer) {
      this.idleTimer.refresh();
      return;
    }
    this.idleTimer = setTimeout(() => this.onIdle(), this.settings.idleGraceMs);
    this.idleTimer.unref();
  }

  private onIdle(): void {
    if (this.state !== 'open') return;
    for (const frame of this.assembler.flush()) this.dispatch(frame);
    if (!this.current) return;
    logger.debug('Ending idle Transcribe stream', this.logContext(this.current));
    this.current.finish();
    this.current = undefined;
  }

  private launch(frames: AudioFrame[], delayMs: number, finish: boolean): StreamAttempt {
    const attempt = new StreamAttempt({
      client: this.client,
      parameters: this.parameters,
      queueCapacity: this.settings.queueCapacityFrames,
      createdAt: this.settings.now(),
      onFinal: (result, clock) => this.onFinal(result, clock),
      onOverflow: (overflowing, dropped) => this.onOverflow(overflowing, dropped),
    });
    for (const frame of frames) attempt.push(frame);
    if (finish) attempt.finish();
    this.attempts.add(attempt);
    logger.debug('Opening Transcribe stream', { ...this.logContext(attempt), delayMs, replayedFrames: frames.length });
    const run = attempt.run(delayMs).then((outcome) => {
      this.attempts.delete(attempt);
      try {
        this.reportDroppedAudio(attempt);
        this.settle(attempt, outcome);
      } catch (error) {
        logger.error('Settling a Transcribe stream failed', { ...this.logContext(attempt), ...describeError(error) });
      }
    });
    this.running.add(run);
    void run.finally(() => this.running.delete(run));
    return attempt;
  }

  private settle(attempt: StreamAttempt, outcome: AttemptOutcome): void {
    const wasCurrent = attempt === this.current;
    if (wasCurrent) this.current = undefined;
    if (outcome.kind === 'aborted' || !this.isLive()) return;

    if (outcome.kind === 'completed') {
      this.consecutiveFailures = 0;
      logger.debug('Transcribe stream ended', { ...this.logContext(attempt), sentMs: attempt.clock.sentSamples / 8 });
      // The service closed a stream we were still feeding: carry on with what it did not take.
      const unsent = attempt.takeUnsent();
      if (unsent.length > 0) this.replace(wasCurrent, unsent, 0);
      return;
    }

    const healthy = outcome.healthy || this.settings.now() - attempt.createdAt >= HEALTHY_AFTER_MS;
    if (healthy) this.consecutiveFailures = 0;
    const verdict = classifyStreamError(outcome.error);
    const context = { ...this.logContext(attempt), ...describeError(outcome.error) };
    const unsent = attempt.takeUnsent();
    if (verdict.retry && !wasCurrent && unsent.length === 0) {
      // It was only flushing after a pause or rotation: its last finals are lost, but no audio is.
      logger.warn('Transcribe stream failed while flushing', context);
      return;
    }
    if (!verdict.retry) return this.fail(verdict.statusCode, outcome.error);
    if (this.consecutiveFailures >= this.settings.maxRetries) {
      logger.error('Transcribe stream kept failing; giving up the span', { ...context, retries: this.consecutiveFailures });
      return this.fail(STREAM_STATUS.INTERNAL_ERROR, outcome.error);
    }
    this.consecutiveFailures += 1;
    const delayMs = backoffDelay(this.consecutiveFailures, this.settings.backoff, this.settings.random);
    logger.warn('Transcribe stream failed; restarting', { ...context, retry: this.consecutiveFailures, delayMs });
    this.replace(wasCurrent, unsent, delayMs);
  }

  /** Opens a successor stream; it takes new audio only if the one it replaces was doing so. */
  private replace(wasCurrent: boolean, frames: AudioFrame[], delayMs: number): void {
    const takesNewAudio = wasCurrent && this.state === 'open';
    const next = this.launch(frames, delayMs, !takesNewAudio);
    if (takesNewAudio) this.current = next;
  }

  private fail(statusCode: RecognitionStatusCode, cause: unknown): void {
    if (!this.isLive()) return;
    this.state = 'failed';
    clearTimeout(this.idleTimer);
    this.current = undefined;
    for (const attempt of this.attempts) attempt.abort();
    const { errorName } = describeError(cause);
    logger.error('Transcribe recognition failed', { ...this.logContext(), statusCode, errorName });
    for (const role of this.channelRoles) {
      const error = new RecognitionError(statusCode, `Amazon Transcribe stream failed (${errorName})`, { cause });
      this.notify(() => this.listener.onError(role, error));
    }
  }

  private onFinal(result: Result, clock: StreamClock): void {
    if (this.state === 'failed') return;
    const mapped = mapResult(result, { clock, channelRoles: this.channelRoles, wordTimings: this.options.wordTimings });
    if (mapped) this.notify(() => this.listener.onResult(mapped));
  }

  private onOverflow(attempt: StreamAttempt, dropped: AudioFrame): void {
    const before = this.droppedSamples.get(attempt);
    if (before === undefined) logger.warn('Transcribe audio backlog full; dropping the oldest audio', this.logContext(attempt));
    this.droppedSamples.set(attempt, (before ?? 0) + dropped.samples);
  }

  /**
   * Audio a stalled or restarting stream's backlog dropped is lost for good, so it is not left to a
   * warning: once per stream, each of its participants gets a 5002 (as when the embedded engine's
   * queue is full) with the lost duration, which the span reports at stop and counts in
   * `RecognitionAudioLost`/`…Ms`.
   */
  private reportDroppedAudio(attempt: StreamAttempt): void {
    const samples = this.droppedSamples.get(attempt);
    this.droppedSamples.delete(attempt);
    if (samples === undefined || !this.isLive()) return;
    const lostAudioMs = Math.round((samples * 1000) / this.options.sampleRate);
    for (const role of this.channelRoles) {
      const message = `${lostAudioMs} ms of audio dropped while the Transcribe stream was stalled or restarting`;
      const error = new RecognitionError(STREAM_STATUS.NO_INSTANCES_AVAILABLE, message, { lostAudioMs });
      this.notify(() => this.listener.onError(role, error));
    }
  }

  /** A throwing listener must not take the stream down with it. */
  private notify(callback: () => void): void {
    try {
      callback();
    } catch (error) {
      logger.error('Recognition listener threw', { ...this.logContext(), ...describeError(error) });
    }
  }

  private isLive(): boolean {
    return this.state === 'open' || this.state === 'ending';
  }

  private async allSettled(): Promise<void> {
    // Settling one stream may start its successor, so look again until none is left.
    while (this.running.size > 0) await Promise.all(this.running);
  }

  private async settledWithin(ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    });
    try {
      return await Promise.race([this.allSettled().then(() => true), timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  private logContext(attempt?: StreamAttempt): Record<string, unknown> {
    return {
      conversationId: this.options.conversationId,
      roles: this.channelRoles,
      ...(attempt && { transcribeSessionId: attempt.sessionId }),
    };
  }
}
