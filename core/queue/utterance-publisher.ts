import { SendMessageBatchCommand, type SendMessageBatchRequestEntry, type SQSClient } from '@aws-sdk/client-sqs';
import type { Utterance } from '../domain/utterance.ts';
import type { AppLogger } from '../logger.ts';
import { webhookBody } from '../webhook/body.ts';

/**
 * Publishes recorded utterances to the `utterances` queue in the webhook body shape, batched and in
 * the background: `publish` never waits, so a slow or unavailable queue cannot hold back audio or
 * recognition. Every utterance handed here is already stored in `messages`, so what a long outage
 * forces us to drop is only a late webhook, never the utterance (it stays in the GET and the feed).
 *
 * Ordering: a publisher takes batches in recording order (a few in flight at once), and each message
 * carries `recordedAt` so the webhook Lambda restores per-conversation order within a batch; a standard
 * queue keeps no order anyway. A standard queue is used
 * rather than FIFO: a FIFO message group blocks behind a failing message, which would hold back newer
 * utterances of the call, the opposite of the contract's "drop oldest first".
 */

export interface PublisherOptions {
  client: SQSClient;
  queueUrl: string;
  logger: AppLogger;
  /** Queued utterances beyond this are dropped oldest first. */
  maxQueued?: number;
  /** Attempts per batch before it is dropped. */
  maxAttempts?: number;
  /** SendMessageBatch requests in flight at once (default 4). */
  concurrency?: number;
  now?: () => number;
}

interface Pending {
  entry: SendMessageBatchRequestEntry;
  conversationId: string;
  messageId: string;
  attempts: number;
}

const MAX_BATCH = 10;
/**
 * A part-full batch waits up to this long after the previous request: at a thousand calls (667
 * utterances a second) sending each at once averaged under five messages a request, each paying the
 * SDK's signing and serialization; a quiet call's lone utterance still goes at once.
 */
const LINGER_MS = 20;
/** SendMessageBatch allows 256 KiB in all; stay below it. */
const MAX_BATCH_BYTES = 250_000;

export class UtterancePublisher {
  private queue: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly senders = new Set<Promise<void>>();
  private closed = false;
  private lastSentAt = Number.NEGATIVE_INFINITY;
  readonly counters = { published: 0, dropped: 0, failedAttempts: 0 };
  private readonly maxQueued: number;
  private readonly maxAttempts: number;
  private readonly concurrency: number;
  private readonly now: () => number;

  constructor(private readonly options: PublisherOptions) {
    this.maxQueued = options.maxQueued ?? 10_000;
    this.maxAttempts = options.maxAttempts ?? 5;
    this.concurrency = options.concurrency ?? 4;
    this.now = options.now ?? Date.now;
  }

  publish(utterance: Utterance): void {
    if (this.closed) return;
    const body = JSON.stringify(webhookBody(utterance));
    this.queue.push({
      conversationId: utterance.conversationId,
      messageId: utterance.messageId,
      attempts: 0,
      entry: {
        Id: utterance.messageId,
        MessageBody: body,
        MessageAttributes: {
          conversationId: { DataType: 'String', StringValue: utterance.conversationId },
          messageId: { DataType: 'String', StringValue: utterance.messageId },
          recordedAt: { DataType: 'Number', StringValue: String(Date.parse(utterance.createdTimestamp) || this.now()) },
        },
      },
    });
    if (this.queue.length > this.maxQueued) {
      const dropped = this.queue.shift()!;
      this.counters.dropped++;
      this.options.logger.warn('utterance queue backlog full; oldest webhook message dropped (utterance stays stored)', {
        conversationId: dropped.conversationId,
        messageId: dropped.messageId,
      });
    }
    this.schedule();
  }

  /** Sends everything queued (used on shutdown and in tests). */
  async flush(): Promise<void> {
    while (this.queue.length > 0 || this.senders.size > 0) {
      if (this.senders.size === 0) this.startSender();
      await Promise.all([...this.senders]);
    }
  }

  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    clearTimeout(this.timer);
  }

  /**
   * Sends at once when no request is out and none went within LINGER_MS; what is published meanwhile
   * forms the next batches. So a quiet call pays no batching delay, and a busy gateway sends full
   * batches several at a time: one at a time kept up with ~650 utterances a second at most on a loaded
   * 2-core machine, and a thousand calls' backlog filled and dropped webhooks (soak).
   */
  private schedule(): void {
    if (this.timer || this.senders.size >= this.concurrency) return;
    // A part-full batch soon after the last request waits out the rest of LINGER_MS for company.
    const wait = this.queue.length >= MAX_BATCH ? 0 : Math.max(0, this.lastSentAt + LINGER_MS - performance.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      while (this.senders.size < this.concurrency && this.batchReady()) this.startSender();
    }, wait);
  }

  private startSender(): void {
    const sender: Promise<void> = this.sendBatches().finally(() => {
      this.senders.delete(sender);
      if (this.queue.length > 0) this.schedule();
    });
    this.senders.add(sender);
  }

  /** A full batch goes as soon as a sender is free; a part-full one only when no request is out. */
  private batchReady(): boolean {
    return this.queue.length >= MAX_BATCH || (this.queue.length > 0 && this.senders.size === 0);
  }

  /** One batch, then more while full ones are waiting (a part-full one goes through `schedule`). */
  private async sendBatches(): Promise<void> {
    do {
      this.lastSentAt = performance.now();
      const batch = this.takeBatch();
      const failed = await this.send(batch);
      if (failed.length === 0) continue;
      const retry = failed.filter((p) => ++p.attempts < this.maxAttempts);
      for (const p of failed.filter((f) => !retry.includes(f))) {
        this.counters.dropped++;
        this.options.logger.error('webhook message could not be queued; dropped (utterance stays stored)', {
          conversationId: p.conversationId,
          messageId: p.messageId,
          attempts: p.attempts,
        });
      }
      this.queue.unshift(...retry);
      if (retry.length > 0) {
        // Back off before the next attempt; audio keeps flowing meanwhile since publish never waits.
        const attempt = Math.max(...retry.map((p) => p.attempts));
        await new Promise((r) => setTimeout(r, Math.min(5_000, 100 * 2 ** attempt)));
      }
    } while (this.queue.length >= MAX_BATCH);
  }

  private takeBatch(): Pending[] {
    const batch: Pending[] = [];
    let bytes = 0;
    while (this.queue.length > 0 && batch.length < MAX_BATCH) {
      const size = Buffer.byteLength(this.queue[0].entry.MessageBody ?? '') + 200;
      if (batch.length > 0 && bytes + size > MAX_BATCH_BYTES) break;
      bytes += size;
      batch.push(this.queue.shift()!);
    }
    return batch;
  }

  /** Returns the entries that were not accepted. */
  private async send(batch: Pending[]): Promise<Pending[]> {
    try {
      const result = await this.options.client.send(
        new SendMessageBatchCommand({ QueueUrl: this.options.queueUrl, Entries: batch.map((p) => p.entry) }),
      );
      const failedIds = new Set((result.Failed ?? []).map((f) => f.Id));
      this.counters.published += batch.length - failedIds.size;
      if (failedIds.size > 0) {
        this.counters.failedAttempts += failedIds.size;
        this.options.logger.warn('some webhook messages were not accepted by the queue', {
          failed: (result.Failed ?? []).map((f) => ({ messageId: f.Id, code: f.Code, senderFault: f.SenderFault })),
        });
      }
      return batch.filter((p) => failedIds.has(p.entry.Id));
    } catch (error) {
      this.counters.failedAttempts += batch.length;
      this.options.logger.warn('queue unavailable; will retry', { error: (error as Error).name, messages: batch.length });
      return batch;
    }
  }
}
