import { Worker } from 'node:worker_threads';
import { logger } from '#core/logger.ts';
import { RecognitionError } from '../recognizer.ts';
import type { DecoderWorkerData, FromWorker, ToWorker } from './decoder-protocol.ts';
import type { DecoderVocabulary } from './decoder-vocabulary.ts';
import type { DecodedUtterance } from './pocketsphinx-decoder.ts';
import { PocketSphinxUnavailableError } from './pocketsphinx.ts';
import { STREAM_STATUS } from '#core/contract/status-codes.ts';

/**
 * Decoder worker threads shared by every call, one decoder each (≈90 MB, 0.2–0.4 s to load).
 *
 * A job is one speech segment. A segment that opens while a worker is idle is decoded as it is spoken,
 * so its final result only waits for the end-of-utterance pass. When segments wait, complete ones go
 * first, and a worker that is only keeping pace with a speaker is taken for a waiting complete segment:
 * its job is aborted, its audio comes back, and it is decoded again later from the start. Under load
 * the pool therefore decodes whole segments back to back (throughput), when idle it streams (latency);
 * the transcript is the same either way (see pocketsphinx-decoder.ts).
 *
 * A job may carry a custom vocabulary. Words added to a decoder stay in it, so a decoder serves only
 * jobs of the list it holds: an idle decoder that already holds a job's list is taken first, then one
 * that holds none; any other is given the job's list in a fresh decoder (decoder-worker.ts).
 */

export interface DecoderPoolOptions {
  size: number;
  workerData: DecoderWorkerData;
  /**
   * Audio of complete segments allowed to wait for a decoder, in samples. Beyond it the newest complete
   * segment fails with 5002: a bounded queue (16 KB a second of speech) that absorbs bursts — a call sent
   * faster than real time, a spike of speakers — and only loses speech when the engine is far behind.
   */
  maxPendingSamples: number;
  /** A worker that has not answered a ping for this long is restarted. */
  watchdogMs: number;
  /** Another worker entry (tests). */
  workerUrl?: URL;
}

export type JobOutcome =
  { ok: true; utterance: DecodedUtterance; mean?: Float32Array; busyMs: number; finishMs: number } | { ok: false; error: RecognitionError };

/** The pool's side of one segment, as its speaker sees it. */
export interface SegmentJob {
  /**
   * The speaker's previous segment is done: decoding may start, from that cepstral mean, with the
   * span's custom vocabulary when it has one.
   */
  start(mean?: Float32Array, vocabulary?: DecoderVocabulary): void;
  /** Audio of the segment, in order; the buffer is transferred to a worker. */
  append(pcm: Int16Array): void;
  /** The segment will probably end here: a decoder streaming it may finish early. */
  pause(): void;
  close(): void;
  readonly outcome: Promise<JobOutcome>;
}

const WORKER_URL = new URL('./decoder-worker.mjs', import.meta.url);
const MAX_START_FAILURES = 3;
const TERMINATE_WAIT_MS = 2_000;
const SAMPLES_PER_MS = 8;
/** Lists whose skipped entries were logged, remembered so each is logged once (bounded). */
const MAX_REPORTED_VOCABULARIES = 256;

type JobState = 'waiting' | 'queued' | 'running' | 'returning' | 'done';

interface Job {
  id: number;
  openedSeq: number;
  closedSeq: number;
  closed: boolean;
  state: JobState;
  mean?: Float32Array;
  vocabulary?: DecoderVocabulary;
  /** Audio held here while no worker has it. */
  chunks: Int16Array[];
  /** Samples of the segment so far (what it costs the pending budget while it waits). */
  samples: number;
  slot?: Slot;
  resolve: (outcome: JobOutcome) => void;
}

interface Slot {
  index: number;
  worker: Worker;
  state: 'starting' | 'ready' | 'dead';
  job?: Job;
  /** Which custom vocabulary the worker's decoder holds (as last sent; none: the model's words only). */
  vocabularyKey?: string;
  /** Aborted jobs whose audio is on its way back from this worker. */
  returning: Map<number, Job>;
  pingSentAt?: number;
  pingSeq: number;
  startFailures: number;
}

/** Milliseconds of audio a segment has received so far. */
function msOf(job: Job): number {
  return Math.round(job.samples / SAMPLES_PER_MS);
}

function ownBuffer(pcm: Int16Array): Int16Array {
  return pcm.byteOffset === 0 && pcm.byteLength === pcm.buffer.byteLength ? pcm : pcm.slice();
}

export class DecoderPool {
  readonly #o: DecoderPoolOptions;
  readonly #slots: Slot[] = [];
  #queue: Job[] = [];
  /** Jobs not done and not on a worker: what the capacity bound counts. */
  readonly #pending = new Set<Job>();
  #seq = 0;
  #closing = false;
  readonly #reportedVocabularies = new Set<string>();
  #watchdog: NodeJS.Timeout | undefined;
  #started: { resolve: () => void; reject: (error: Error) => void } | undefined;

  private constructor(options: DecoderPoolOptions) {
    this.#o = options;
  }

  /** Starts every worker and waits until each has loaded its decoder. */
  static async start(options: DecoderPoolOptions): Promise<DecoderPool> {
    const pool = new DecoderPool(options);
    const started = new Promise<void>((resolve, reject) => (pool.#started = { resolve, reject }));
    for (let i = 0; i < options.size; i++) pool.#slots.push(pool.#spawn(i));
    try {
      await started;
    } catch (error) {
      await pool.close();
      throw error;
    }
    pool.#started = undefined;
    pool.#watchdog = setInterval(() => pool.#checkWorkers(), Math.min(1_000, Math.max(10, options.watchdogMs / 4)));
    pool.#watchdog.unref();
    return pool;
  }

  get size(): number {
    return this.#slots.length;
  }

  /** Creates the job for a segment that has just opened. */
  open(): SegmentJob {
    let resolve!: (outcome: JobOutcome) => void;
    const outcome = new Promise<JobOutcome>((r) => (resolve = r));
    const job: Job = {
      id: ++this.#seq,
      openedSeq: this.#seq,
      closedSeq: 0,
      closed: false,
      state: 'waiting',
      chunks: [],
      samples: 0,
      resolve,
    };
    this.#pending.add(job);
    if (this.#closing)
      this.#finish(job, { ok: false, error: new RecognitionError(STREAM_STATUS.SHUTTING_DOWN, 'speech engine shutting down') });
    return {
      outcome,
      start: (mean, vocabulary) => this.#startJob(job, mean, vocabulary),
      append: (pcm) => this.#append(job, pcm),
      pause: () => {
        if (job.state === 'running' && !job.closed) this.#send(job.slot!, { type: 'settle', job: job.id });
      },
      close: () => this.#close(job),
    };
  }

  async close(): Promise<void> {
    this.#closing = true;
    clearInterval(this.#watchdog);
    for (const job of [...this.#pending, ...this.#slots.flatMap((s) => (s.job ? [s.job] : []))]) {
      this.#finish(job, { ok: false, error: new RecognitionError(STREAM_STATUS.SHUTTING_DOWN, 'speech engine shutting down') });
    }
    await Promise.all(this.#slots.map((slot) => this.#terminate(slot)));
  }

  #startJob(job: Job, mean?: Float32Array, vocabulary?: DecoderVocabulary): void {
    if (job.state !== 'waiting') return;
    job.mean = mean;
    job.vocabulary = vocabulary;
    job.state = 'queued';
    this.#queue.push(job);
    this.#schedule();
  }

  #append(job: Job, pcm: Int16Array): void {
    if (job.state === 'done' || pcm.length === 0) return;
    job.samples += pcm.length;
    if (job.state === 'running') this.#send(job.slot!, { type: 'audio', job: job.id, pcm: ownBuffer(pcm) });
    else job.chunks.push(pcm);
  }

  #close(job: Job): void {
    if (job.closed || job.state === 'done') return;
    job.closed = true;
    job.closedSeq = ++this.#seq;
    if (job.state === 'running') {
      this.#send(job.slot!, { type: 'end', job: job.id });
      return;
    }
    let waiting = 0;
    let waitingSamples = 0;
    for (const j of this.#pending) {
      if (!j.closed) continue;
      waiting++;
      waitingSamples += j.samples;
    }
    if (waitingSamples > this.#o.maxPendingSamples) {
      const lostAudioMs = msOf(job);
      logger.warn('embedded speech engine over capacity: segment dropped', {
        waiting,
        waitingMs: Math.round(waitingSamples / SAMPLES_PER_MS),
        lostAudioMs,
        decoders: this.size,
      });
      this.#finish(job, {
        ok: false,
        error: new RecognitionError(
          STREAM_STATUS.NO_INSTANCES_AVAILABLE,
          `speech engine capacity exhausted: ${Math.round(waitingSamples / 8000)} s of speech in ${waiting} segments waiting for ${this.size} decoders`,
          { lostAudioMs },
        ),
      });
      return;
    }
    this.#schedule();
  }

  #schedule(): void {
    if (this.#closing) return;
    if (this.#slots.every((s) => s.state === 'dead')) {
      for (const job of [...this.#pending]) {
        this.#finish(job, {
          ok: false,
          error: new RecognitionError(STREAM_STATUS.INTERNAL_ERROR, 'no speech decoder is running', { lostAudioMs: msOf(job) }),
        });
      }
      return;
    }
    for (let next = this.#next(false); next; next = this.#next(false)) {
      const slot = this.#idleSlotFor(next);
      if (!slot) break;
      this.#bind(slot, next);
    }
    // Every decoder is busy: a complete segment waiting beats a live one that only keeps pace.
    for (let next = this.#next(true); next; next = this.#next(true)) {
      const victim = this.#slots
        .filter((s) => s.state === 'ready' && s.job && !s.job.closed)
        .sort((a, b) => b.job!.openedSeq - a.job!.openedSeq)[0];
      if (!victim) return;
      this.#preempt(victim);
      this.#bind(victim, next);
    }
  }

  /** Complete segments first, oldest first; then open ones in the order they opened. */
  #next(closedOnly: boolean): Job | undefined {
    let best: Job | undefined;
    for (const job of this.#queue) {
      if (closedOnly && !job.closed) continue;
      if (!best) best = job;
      else if (job.closed !== best.closed) best = job.closed ? job : best;
      else if (job.closed ? job.closedSeq < best.closedSeq : job.openedSeq < best.openedSeq) best = job;
    }
    return best;
  }

  /** An idle decoder for the job: one holding its list, else one holding none, else any. */
  #idleSlotFor(job: Job): Slot | undefined {
    const idle = this.#slots.filter((s) => s.state === 'ready' && !s.job);
    const key = job.vocabulary?.key;
    return idle.find((s) => s.vocabularyKey === key) ?? idle.find((s) => s.vocabularyKey === undefined) ?? idle[0];
  }

  #bind(slot: Slot, job: Job): void {
    this.#queue = this.#queue.filter((j) => j !== job);
    this.#pending.delete(job);
    slot.job = job;
    job.slot = slot;
    job.state = 'running';
    if (slot.vocabularyKey !== job.vocabulary?.key) {
      slot.vocabularyKey = job.vocabulary?.key;
      this.#send(slot, { type: 'vocabulary', vocabulary: job.vocabulary });
    }
    this.#send(slot, { type: 'start', job: job.id, mean: job.mean });
    for (const pcm of job.chunks) this.#send(slot, { type: 'audio', job: job.id, pcm: ownBuffer(pcm) });
    job.chunks = [];
    if (job.closed) this.#send(slot, { type: 'end', job: job.id });
  }

  #preempt(slot: Slot): void {
    const job = slot.job!;
    this.#send(slot, { type: 'abort', job: job.id });
    job.state = 'returning';
    slot.returning.set(job.id, job);
    slot.job = undefined;
    this.#pending.add(job);
  }

  #send(slot: Slot, message: ToWorker): void {
    // Audio moves (each piece has exactly one owner); the mean is copied: a preempted job needs it again.
    slot.worker.postMessage(message, message.type === 'audio' ? [message.pcm.buffer as ArrayBuffer] : []);
  }

  #finish(job: Job, outcome: JobOutcome): void {
    if (job.state === 'done') return;
    job.state = 'done';
    job.chunks = [];
    this.#pending.delete(job);
    this.#queue = this.#queue.filter((j) => j !== job);
    if (job.slot?.job === job) job.slot.job = undefined;
    job.resolve(outcome);
  }

  #spawn(index: number, previous?: Slot): Slot {
    const worker = new Worker(this.#o.workerUrl ?? WORKER_URL, { workerData: this.#o.workerData });
    const slot: Slot = previous ?? { index, worker, state: 'starting', returning: new Map(), pingSeq: 0, startFailures: 0 };
    Object.assign(slot, { worker, state: 'starting', job: undefined, vocabularyKey: undefined, pingSentAt: undefined });
    slot.returning = new Map();
    worker.on('message', (message: FromWorker) => {
      if (slot.worker === worker) this.#onMessage(slot, message);
    });
    worker.on('error', (error) => {
      if (slot.worker === worker) this.#onCrash(slot, error);
    });
    worker.on('exit', (code) => {
      if (slot.worker === worker && slot.state !== 'dead') this.#onCrash(slot, new Error(`decoder worker exited (code ${code})`));
    });
    return slot;
  }

  #onMessage(slot: Slot, message: FromWorker): void {
    switch (message.type) {
      case 'ready':
        slot.state = 'ready';
        slot.startFailures = 0;
        logger.debug('embedded decoder ready', { decoder: slot.index, loadMs: Math.round(message.loadMs) });
        if (!message.speakerMeans) logger.warn('embedded decoder cannot keep speakers apart; transcripts may vary');
        if (this.#started && this.#slots.length === this.#o.size && this.#slots.every((s) => s.state === 'ready')) {
          this.#started.resolve();
        }
        this.#schedule();
        return;
      case 'failed': {
        const error = message.unavailable ? new PocketSphinxUnavailableError(message.message) : new Error(message.message);
        this.#onStartFailure(slot, error);
        return;
      }
      case 'result': {
        const job = slot.job;
        if (!job || job.id !== message.job) return;
        slot.job = undefined;
        const { utterance, mean, busyMs, finishMs } = message;
        this.#finish(job, { ok: true, utterance, mean, busyMs, finishMs });
        this.#schedule();
        return;
      }
      case 'error': {
        const job = slot.job?.id === message.job ? slot.job : slot.returning.get(message.job);
        if (!job) return;
        slot.returning.delete(message.job);
        logger.error('embedded decoder failed on a segment', { decoder: slot.index, error: message.message });
        this.#finish(job, {
          ok: false,
          error: new RecognitionError(STREAM_STATUS.INTERNAL_ERROR, `speech decoding failed: ${message.message}`, {
            lostAudioMs: msOf(job),
          }),
        });
        this.#schedule();
        return;
      }
      case 'aborted': {
        const job = slot.returning.get(message.job);
        slot.returning.delete(message.job);
        if (!job || job.state !== 'returning') return;
        job.chunks = [...message.chunks, ...job.chunks];
        job.slot = undefined;
        job.state = 'queued';
        this.#queue.push(job);
        this.#schedule();
        return;
      }
      case 'pong':
        if (message.seq === slot.pingSeq) slot.pingSentAt = undefined;
        return;
      case 'vocabulary':
        this.#onVocabulary(slot, message);
        return;
    }
  }

  #onVocabulary(slot: Slot, report: Extract<FromWorker, { type: 'vocabulary' }>): void {
    const { key, phrases, words, skipped, error } = report;
    const ms = Math.round(report.ms);
    if (error) {
      logger.error('custom vocabulary not applied to an embedded decoder; its calls go without it', {
        decoder: slot.index,
        vocabulary: key,
        error,
      });
      return;
    }
    logger.debug('embedded decoder vocabulary in place', { decoder: slot.index, vocabulary: key ?? 'none', phrases, words, ms });
    if (!key || skipped.length === 0 || this.#reportedVocabularies.has(key)) return;
    if (this.#reportedVocabularies.size >= MAX_REPORTED_VOCABULARIES) this.#reportedVocabularies.clear();
    this.#reportedVocabularies.add(key);
    // Entries are the tenant's configuration, not transcript text; bounded like every logged value.
    logger.warn('custom vocabulary: spoken forms the embedded engine cannot pronounce are left out', {
      vocabulary: key,
      phrases,
      skippedCount: skipped.length,
      skipped: skipped.slice(0, 20).map((s) => ({
        phrase: s.phrase.slice(0, 100),
        ...(s.soundsLike !== undefined ? { soundsLike: s.soundsLike.slice(0, 100) } : {}),
        reason: s.reason.slice(0, 200),
      })),
    });
  }

  #onStartFailure(slot: Slot, error: Error): void {
    slot.state = 'dead';
    if (this.#started) {
      this.#started.reject(error);
      return;
    }
    logger.error('embedded decoder could not restart', { decoder: slot.index, error: error.message });
    void this.#terminate(slot);
    if (++slot.startFailures < MAX_START_FAILURES) this.#slots[slot.index] = this.#spawn(slot.index, slot);
    else this.#schedule();
  }

  /** A crashed or stuck worker: its segments fail, the worker is replaced, everything else goes on. */
  #onCrash(slot: Slot, error: Error): void {
    if (this.#closing) return;
    if (slot.state === 'starting') {
      this.#onStartFailure(slot, error);
      return;
    }
    logger.error('embedded decoder worker lost; restarting it', { decoder: slot.index, error: error.message });
    const lost = [...(slot.job ? [slot.job] : []), ...slot.returning.values()];
    const old = slot;
    void this.#terminate(old);
    this.#slots[slot.index] = this.#spawn(slot.index, slot);
    for (const job of lost) {
      this.#finish(job, {
        ok: false,
        error: new RecognitionError(STREAM_STATUS.INTERNAL_ERROR, `speech decoder failed: ${error.message}`, { lostAudioMs: msOf(job) }),
      });
    }
    this.#schedule();
  }

  #checkWorkers(): void {
    const now = Date.now();
    for (const slot of this.#slots) {
      if (slot.state !== 'ready') continue;
      if (slot.pingSentAt !== undefined) {
        if (now - slot.pingSentAt > this.#o.watchdogMs) this.#onCrash(slot, new Error(`no answer for ${now - slot.pingSentAt} ms`));
        continue;
      }
      if (!slot.job && slot.returning.size === 0) continue;
      slot.pingSentAt = now;
      this.#send(slot, { type: 'ping', seq: ++slot.pingSeq });
    }
  }

  async #terminate(slot: Slot): Promise<void> {
    const worker = slot.worker;
    // A thread stuck inside native code cannot be stopped; do not wait for it forever.
    await Promise.race([worker.terminate().catch(() => undefined), new Promise((r) => setTimeout(r, TERMINATE_WAIT_MS).unref())]);
  }
}
