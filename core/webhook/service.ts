import type { SQSRecord } from 'aws-lambda';
import { processBatch } from './batch.ts';
import type { BatchOutcome, VisibilityChange } from './batch.ts';
import type { WebhookConfig } from './config.ts';
import { sqsDeadLetterSink } from './dead-letter.ts';
import type { DeadLetterSink } from './dead-letter.ts';
import { createDeliverer } from './deliver.ts';
import type { Deliverer } from './deliver.ts';
import { createRecorder } from './recorder.ts';
import type { DeliveryRecorder } from './recorder.ts';
import { sqsVisibilitySetter } from './visibility.ts';

/**
 * The webhook delivery wired from configuration: one deliverer (keep-alive agents, token cache) per
 * container, reused by every batch.
 */
export interface WebhookDelivery {
  handle(records: readonly SQSRecord[]): Promise<BatchOutcome>;
  close(): void;
}

export interface WebhookDeliveryOptions {
  recorder?: DeliveryRecorder;
  deliverer?: Deliverer;
  /** Overrides the SQS visibility setter built from `config.queueUrl`; `null` disables it. */
  setVisibility?: ((changes: VisibilityChange[]) => Promise<void>) | null;
  /** Overrides the DLQ sink built from `config.deadLetterQueueUrl`; `null` disables it. */
  deadLetter?: DeadLetterSink | null;
  now?: () => number;
}

export function createWebhookDelivery(config: WebhookConfig, options: WebhookDeliveryOptions = {}): WebhookDelivery {
  const deliverer = options.deliverer ?? createDeliverer(config, options.now ? { now: options.now } : {});
  const recorder = options.recorder ?? createRecorder();
  const setVisibility =
    options.setVisibility === null
      ? undefined
      : (options.setVisibility ?? (config.queueUrl ? sqsVisibilitySetter(config.queueUrl) : undefined));
  const deadLetter =
    options.deadLetter === null
      ? undefined
      : (options.deadLetter ?? (config.deadLetterQueueUrl ? sqsDeadLetterSink(config.deadLetterQueueUrl) : undefined));
  return {
    async handle(records) {
      try {
        return await processBatch(records, {
          deliver: (body) => deliverer.deliver(body),
          recorder,
          deadlineMs: config.deadlineMs,
          maxAttempts: config.maxAttempts,
          retryBaseDelayMs: config.retryBaseDelayMs,
          retryMaxDelayMs: config.retryMaxDelayMs,
          concurrency: config.parallelConversations,
          ...(options.now ? { now: options.now } : {}),
          ...(setVisibility ? { setVisibility } : {}),
          ...(deadLetter ? { deadLetter } : {}),
        });
      } finally {
        await recorder.settle?.();
        recorder.flush();
      }
    },
    close() {
      deliverer.close();
    },
  };
}
