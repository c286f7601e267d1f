import type { Utterance } from '#core/domain/utterance.ts';
import type { AppLogger } from '#core/logger.ts';
import { MAX_BATCH_PUT, type MessagesStore } from '#core/stores/messages.ts';

export interface MessageWriterOptions {
  messages: Pick<MessagesStore, 'putUtterances'>;
  logger: AppLogger;
  /** Batch requests in flight at once. */
  concurrency?: number;
  /** Rounds per utterance (each a BatchWriteItem the SDK itself retries) before its store is given up. */
  maxAttempts?: number;
  /** Utterances waiting beyond this are refused at once (memory stays bounded whatever the store does). */
  maxQueued?: number;
  /** Pause before the first retry round; it doubles each round, up to 5 s. */
  retryBaseMs?: number;
}

/** How long a part-full batch waits for company after the previous request (a lone utterance goes at once). */
const LINGER_MS = 20;

interface Pending {
  utterance: Utterance;
  attempts: number;
  resolve: () => void;
  reject: (error: Error) => void;
}

/**
 * Stores the gateway's utterances in `messages` with BatchWriteItem, up to 25 per request: at a
 * thousand calls one PutItem per utterance is a request every 1.5 ms, each paying the SDK's signing
 * and a socket of the client's pool, which starved the calls' other writes (registration, stop) into
 * connection timeouts and lost stored copies. A quiet call pays no delay: an idle writer sends at once,
 * and what arrives while a request is in flight forms the next batch, which goes when it is full (up
 * to `concurrency` at once) or when no request is out and none went within LINGER_MS — sending each
 * part-full batch at once averaged five utterances a request at a thousand calls. Items DynamoDB leaves unprocessed
 * and batches whose request failed are sent again after a backoff, up to `maxAttempts` rounds, so a
 * short store outage loses nothing; `store` settles when its utterance is stored or given up.
 */
export class MessageWriter {
  private queue: Pending[] = [];
  private batchesInFlight = 0;
  /** Batches whose request is out (not those waiting to retry). */
  private requestsInFlight = 0;
  private lastSentAt = Number.NEGATIVE_INFINITY;
  private lingerTimer: NodeJS.Timeout | undefined;
  private itemsInFlight = 0;
  private scheduled = false;
  private readonly concurrency: number;
  private readonly maxAttempts: number;
  private readonly maxQueued: number;
  private readonly retryBaseMs: number;
  readonly counters = { stored: 0, retried: 0, failed: 0, batches: 0 };

  constructor(private readonly options: MessageWriterOptions) {
    this.concurrency = options.concurrency ?? 4;
    this.maxAttempts = options.maxAttempts ?? 4;
    this.maxQueued = options.maxQueued ?? 20_000;
    this.retryBaseMs = options.retryBaseMs ?? 200;
  }

  store(utterance: Utterance): Promise<void> {
    if (this.queue.length >= this.maxQueued) {
      this.counters.failed++;
      return Promise.reject(new Error(`store backlog full (${this.maxQueued} utterances waiting)`));
    }
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ utterance, attempts: 0, resolve, reject });
      this.schedule();
    });
  }

  /** Utterances not yet stored or given up. */
  get pending(): number {
    return this.queue.length + this.itemsInFlight;
  }

  /** Sends on the next turn of the event loop, so the finals of one turn share a request. */
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.sendReady();
    });
  }

  private sendReady(): void {
    while (this.batchesInFlight < this.concurrency && this.queue.length > 0) {
      if (this.queue.length < MAX_BATCH_PUT) {
        // A part-full batch goes only when no request is out (its end schedules again) and none went
        // within LINGER_MS: what arrives meanwhile fills it.
        if (this.requestsInFlight > 0) return;
        const wait = this.lastSentAt + LINGER_MS - performance.now();
        if (wait > 0) {
          this.lingerTimer ??= setTimeout(() => {
            this.lingerTimer = undefined;
            this.sendReady();
          }, wait);
          return;
        }
      }
      void this.sendOne();
    }
  }

  private async sendOne(): Promise<void> {
    this.lastSentAt = performance.now();
    const batch = this.queue.splice(0, MAX_BATCH_PUT);
    this.batchesInFlight++;
    this.itemsInFlight += batch.length;
    this.counters.batches++;
    let again: Pending[];
    let error: Error | undefined;
    this.requestsInFlight++;
    try {
      const unprocessed = new Set((await this.options.messages.putUtterances(batch.map((p) => p.utterance))).map((u) => u.messageId));
      again = batch.filter((p) => unprocessed.has(p.utterance.messageId));
      for (const p of batch) if (!unprocessed.has(p.utterance.messageId)) this.done(p);
    } catch (e) {
      error = e as Error;
      again = batch;
    } finally {
      this.requestsInFlight--;
    }
    const retry: Pending[] = [];
    for (const p of again) {
      if (++p.attempts < this.maxAttempts) retry.push(p);
      else this.give(p, error ?? new Error('left unprocessed by DynamoDB on every attempt'));
    }
    if (retry.length > 0) {
      this.counters.retried += retry.length;
      this.options.logger.warn('utterances not stored yet; retrying', { count: retry.length, error: error?.name });
      const attempt = Math.max(...retry.map((p) => p.attempts));
      // The batch keeps its slot while it waits, so retries slow the writer instead of piling on.
      await new Promise((r) => setTimeout(r, Math.min(5_000, this.retryBaseMs * 2 ** (attempt - 1))));
      this.queue.unshift(...retry);
    }
    this.batchesInFlight--;
    this.itemsInFlight -= batch.length;
    if (this.queue.length > 0) this.schedule();
  }

  private done(p: Pending): void {
    this.counters.stored++;
    p.resolve();
  }

  private give(p: Pending, error: Error): void {
    this.counters.failed++;
    p.reject(error);
  }
}
