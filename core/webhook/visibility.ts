import { ChangeMessageVisibilityBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { awsClientConfig } from '../aws/clients.ts';
import { logger } from '../logger.ts';
import type { VisibilityChange } from './batch.ts';

/**
 * Sets the visibility of failed messages (backoff before a retry, 0 to dead-letter at once). Best
 * effort: a failure only means the queue's own visibility timeout applies.
 */
export function sqsVisibilitySetter(
  queueUrl: string,
  // Without this the SDK routes by the queue URL's host and ignores AWS_ENDPOINT_URL_SQS, which breaks
  // emulators whose queue URLs name hosts that do not resolve. In AWS both give the same endpoint.
  client: SQSClient = new SQSClient({ ...awsClientConfig(), useQueueUrlAsEndpoint: false }),
) {
  return async (changes: VisibilityChange[]): Promise<void> => {
    for (let i = 0; i < changes.length; i += 10) {
      const chunk = changes.slice(i, i + 10);
      try {
        const out = await client.send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: queueUrl,
            Entries: chunk.map((c, j) => ({
              Id: String(j),
              ReceiptHandle: c.receiptHandle,
              VisibilityTimeout: c.visibilityTimeoutS,
            })),
          }),
        );
        if (out.Failed?.length) {
          logger.warn('webhook: could not change message visibility', {
            failed: out.Failed.map((f) => ({ sqsMessageId: chunk[Number(f.Id)]?.itemIdentifier, code: f.Code })),
          });
        }
      } catch (err) {
        logger.warn('webhook: could not change message visibility', { error: (err as Error).name });
      }
    }
  };
}
