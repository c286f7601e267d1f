import { setMaxListeners } from 'node:events';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { AppLogger } from '#core/logger.ts';
import { DEFAULT_WEBHOOK_MAX_CONCURRENT_BATCHES } from '#core/contract/webhook-batches.ts';
import { sqsEventFromMessages } from '#core/webhook/sqs-event.ts';

/**
 * The local stand-in for Lambda's SQS event source: long-polls the queue, hands each batch to the
 * webhook handler as the Lambda service would, and deletes what the handler did not report as failed
 * (failures stay on the queue for its redrive policy, exactly as in AWS).
 */
export class QueuePoller {
  private running = false;
  private loop: Promise<void> | undefined;
  private readonly abort = new AbortController();

  constructor(
    private readonly options: {
      sqs: SQSClient;
      queueUrl: string;
      queueArn: string;
      handler: (event: SQSEvent) => Promise<SQSBatchResponse | void>;
      logger: AppLogger;
      batchSize?: number;
      /**
       * Batches handled at once, as the event source's maximum concurrency allows in AWS: one loop each
       * (one batch at a time delivered a few hundred utterances a second at most).
       */
      concurrency?: number;
    },
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    const loops = this.options.concurrency ?? DEFAULT_WEBHOOK_MAX_CONCURRENT_BATCHES;
    // Each loop's receive listens on the one stop signal (the SDK removes its listener when the request
    // ends); past Node's default of 10 that would print a leak warning that is not one.
    setMaxListeners(loops * 2, this.abort.signal);
    this.loop = Promise.all(Array.from({ length: loops }, () => this.poll())).then(() => undefined);
  }

  async stop(): Promise<void> {
    this.running = false;
    this.abort.abort();
    await this.loop;
  }

  private async poll(): Promise<void> {
    const { sqs, queueUrl, queueArn, handler, logger } = this.options;
    while (this.running) {
      try {
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: this.options.batchSize ?? 10,
            WaitTimeSeconds: 1,
            MessageAttributeNames: ['All'],
            MessageSystemAttributeNames: ['All'],
          }),
          { abortSignal: this.abort.signal },
        );
        if (Messages.length === 0) continue;
        const result = await handler(sqsEventFromMessages(Messages, queueArn));
        const failed = new Set((result?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
        const done = Messages.filter((m) => !failed.has(m.MessageId ?? ''));
        if (done.length > 0) {
          await sqs.send(
            new DeleteMessageBatchCommand({
              QueueUrl: queueUrl,
              Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
            }),
          );
        }
      } catch (error) {
        if (!this.running) return;
        logger.warn('queue poll failed; retrying', { error: (error as Error).message });
        await new Promise((r) => setTimeout(r, 1_000));
      }
    }
  }
}
