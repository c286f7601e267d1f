import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { dynamoDbDocumentClient } from '#core/aws/clients.ts';
import { loadMessageRetentionDays } from '#core/config/stores.ts';
import { logger } from '#core/logger.ts';
import { createMessagesStore } from '#core/stores/messages.ts';
import { allRecorders, deliveryLog } from '#core/webhook/delivery-log.ts';
import { createRecorder, type DeliveryRecorder } from '#core/webhook/recorder.ts';
import { WebhookConfigError, loadWebhookConfig } from '#core/webhook/config.ts';
import type { Env } from '#core/webhook/config.ts';
import { secretsManagerReader } from '#core/webhook/secrets.ts';
import { createWebhookDelivery } from '#core/webhook/service.ts';
import type { WebhookDelivery, WebhookDeliveryOptions } from '#core/webhook/service.ts';

export interface HandlerOptions extends WebhookDeliveryOptions {
  fetchSecret?: (arn: string) => Promise<string>;
}

/**
 * SQS → webhook. Configuration (and the Secrets Manager secret) is loaded on the first invocation and
 * kept for the container's lifetime; a failed load is retried on the next invocation, since Secrets
 * Manager errors are usually transient. Requires `reportBatchItemFailures` on the event source mapping.
 */
export function createHandler(env: Env = process.env, options: HandlerOptions = {}) {
  let delivery: Promise<WebhookDelivery> | undefined;
  const init = async (): Promise<WebhookDelivery> => {
    const fetchSecret = options.fetchSecret ?? (env.WEBHOOK_SECRET_ARN ? secretsManagerReader() : undefined);
    const config = await loadWebhookConfig(env, fetchSecret);
    return createWebhookDelivery(config, { ...options, recorder: options.recorder ?? recorderFor(env) });
  };
  const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
    delivery ??= init().catch((err: unknown) => {
      delivery = undefined;
      // Config errors never contain secret values; other errors are reduced to their name.
      logger.error('webhook delivery cannot start', {
        error: err instanceof WebhookConfigError ? err.message : (err as Error).name,
      });
      throw err;
    });
    const outcome = await (await delivery).handle(event.Records);
    return { batchItemFailures: outcome.batchItemFailures };
  };
  /** For the local runtime and tests: closes keep-alive sockets. */
  const close = async (): Promise<void> => {
    const d = delivery;
    delivery = undefined;
    if (d) (await d.catch(() => undefined))?.close();
  };
  return Object.assign(handler, { close });
}

/** Metrics and logs; plus each outcome on its `messages` item when MESSAGES_TABLE is set (the console reads it). */
function recorderFor(env: Env): DeliveryRecorder {
  const recorder = createRecorder();
  if (!env.MESSAGES_TABLE) return recorder;
  // Outcomes are kept as long as the messages (the stack passes the same MESSAGE_RETENTION_DAYS).
  const retentionDays = loadMessageRetentionDays(env);
  const messages = createMessagesStore({ client: dynamoDbDocumentClient(), tableName: env.MESSAGES_TABLE, retentionDays });
  return allRecorders(recorder, deliveryLog(messages, logger));
}

export const handler = createHandler();
