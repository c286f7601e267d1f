import { Worker } from 'node:worker_threads';
import type { AppLogger } from '#core/logger.ts';

/**
 * The local webhook consumer: in AWS the webhook Lambda runs apart from the gateway, so here it runs
 * on a thread of its own (webhook-consumer-thread.ts), and polling, delivery and their AWS SDK calls
 * use the machine's other core instead of the gateway's event loop; `npm start` stays one process and
 * one command. A thread that ends unexpectedly is logged and started again after a backoff: what is
 * still queued is delivered by the new thread, and what the old one had received but not finished
 * comes back after the queue's visibility timeout (or, with the local redrive of one receive, is in
 * the dead-letter queue, where `npm run dlq` shows and replays it) — nothing accepted is lost.
 */

/** What the thread is started with (its environment is the system's, copied). */
export interface ConsumerThreadData {
  queueUrl: string;
  queueArn: string;
  /** Batches delivered at once (WEBHOOK_MAX_CONCURRENT_BATCHES); the poller's default when absent. */
  concurrency?: number;
}
export type ConsumerCommand = { type: 'stop' } | { type: 'heap' };
export type ConsumerThreadEvent = { type: 'ready' } | { type: 'stopped' } | { type: 'heap'; usedBytes: number };

export interface WebhookConsumerOptions {
  env: NodeJS.ProcessEnv;
  queueUrl: string;
  queueArn: string;
  /** Batches delivered at once: the stand-in for the SQS event source's maximum concurrency (default 5). */
  concurrency?: number;
  logger: AppLogger;
  /** First pause before a crashed thread is started again; it doubles per crash in a row, up to 30 s. */
  restartDelayMs?: number;
}

/** Loading the thread's modules (TypeScript compiled on the fly) on a loaded machine takes seconds. */
const START_TIMEOUT_MS = 60_000;
/** Batches in flight finish within the webhook timeout (≤ 60 s); past this the thread is ended. */
const STOP_TIMEOUT_MS = 65_000;
const MAX_RESTART_DELAY_MS = 30_000;
/** A thread that ran this long without crashing resets the backoff. */
const HEALTHY_AFTER_MS = 60_000;

const THREAD_ENTRY = new URL('./webhook-consumer-thread.ts', import.meta.url).href;
const TSX_API = import.meta.resolve('tsx/esm/api');
/**
 * A worker does not apply the parent's `--import tsx` to its entry, so a small module registers tsx's
 * loader in the thread first and then loads the TypeScript entry.
 */
const BOOTSTRAP = `import(${JSON.stringify(TSX_API)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(THREAD_ENTRY)}); });`;

export class WebhookConsumer {
  private worker: Worker | undefined;
  private stopping = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private crashesInARow = 0;
  /** Threads started, and those that ended without being asked to. */
  readonly counters = { starts: 0, crashes: 0 };

  constructor(private readonly options: WebhookConsumerOptions) {}

  /** The running thread, if any. */
  get thread(): Worker | undefined {
    return this.worker;
  }

  /** Starts the thread; settles when it polls (rejects when it ends before). */
  start(): Promise<void> {
    const worker = new Worker(BOOTSTRAP, {
      eval: true,
      env: { ...this.options.env },
      workerData: {
        queueUrl: this.options.queueUrl,
        queueArn: this.options.queueArn,
        ...(this.options.concurrency !== undefined ? { concurrency: this.options.concurrency } : {}),
      } satisfies ConsumerThreadData,
    });
    this.worker = worker;
    this.counters.starts++;
    const startedAt = performance.now();
    let lastError: Error | undefined;
    worker.on('error', (error) => (lastError = error));
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the webhook consumer thread did not start in time')), START_TIMEOUT_MS);
      worker.on('message', (event: ConsumerThreadEvent) => {
        if (event.type !== 'ready') return;
        clearTimeout(timer);
        resolve();
      });
      worker.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the webhook consumer thread ended (exit code ${code}${lastError ? `: ${lastError.message}` : ''})`));
      });
    });
    worker.once('exit', (exitCode) => {
      if (this.worker === worker) this.worker = undefined;
      if (this.stopping) return;
      this.counters.crashes++;
      this.crashesInARow = performance.now() - startedAt > HEALTHY_AFTER_MS ? 1 : this.crashesInARow + 1;
      const delayMs = Math.min(MAX_RESTART_DELAY_MS, (this.options.restartDelayMs ?? 1_000) * 2 ** (this.crashesInARow - 1));
      this.options.logger.error('webhook consumer thread ended unexpectedly; restarting it', {
        exitCode,
        error: lastError ? `${lastError.name}: ${lastError.message.slice(0, 200)}` : undefined,
        restartInMs: delayMs,
      });
      this.restartTimer = setTimeout(() => {
        if (this.stopping) return;
        this.start().catch(() => undefined); // its exit is handled (and logged) as above
      }, delayMs);
    });
    return ready;
  }

  /** The thread's heap in use, in bytes (its isolate's: the process's memoryUsage() counts the main thread's). */
  heapUsed(): Promise<number | undefined> {
    const worker = this.worker;
    if (!worker) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const answer = (event: ConsumerThreadEvent) => {
        if (event.type !== 'heap') return;
        worker.off('message', answer);
        worker.off('exit', gone);
        resolve(event.usedBytes);
      };
      const gone = () => {
        worker.off('message', answer);
        resolve(undefined);
      };
      worker.on('message', answer);
      worker.once('exit', gone);
      worker.postMessage({ type: 'heap' } satisfies ConsumerCommand);
    });
  }

  /** Lets the thread finish its batches in flight and close its sockets, then waits for it to end. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    const worker = this.worker;
    if (!worker) return;
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    const timer = setTimeout(() => void worker.terminate(), STOP_TIMEOUT_MS);
    // Done with everything once it says so; whatever handle still keeps it up, it is not needed.
    worker.on('message', (event: ConsumerThreadEvent) => {
      if (event.type === 'stopped') void worker.terminate();
    });
    worker.postMessage({ type: 'stop' } satisfies ConsumerCommand);
    await exited;
    clearTimeout(timer);
  }
}
