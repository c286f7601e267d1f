import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { MessageAttributeValue } from '@aws-sdk/client-sqs';
import { awsClientConfig } from '../aws/clients.ts';
import { logger } from '../logger.ts';

/**
 * Dead-lettering by the webhook function itself. The queue's redrive policy moves a failed message to
 * the DLQ unchanged, so the DLQ alone cannot say *why* it failed; when the function knows the DLQ
 * (`WEBHOOK_DLQ_URL`), it sends the message there itself with the failure as message attributes and
 * acknowledges the original. A message the DLQ does not accept stays a batch item failure, so the
 * redrive policy remains the backstop and nothing is lost either way.
 */

/** The publisher's attributes (docs/data-model.md) carried over to the dead letter. */
export const CARRIED_ATTRIBUTES = ['conversationId', 'messageId', 'recordedAt'] as const;

/** Attributes added to a dead letter; `npm run dlq` reads them back. */
export const FAILURE_ATTRIBUTES = {
  reason: 'failureReason',
  status: 'failureStatus',
  failedAt: 'failedAt',
  attempts: 'attempts',
} as const;

export interface DeadLetter {
  /** SQS id of the original message (the batch item). */
  itemIdentifier: string;
  /** The queued body, byte for byte. */
  body: string;
  /** The carried attributes present on the original. */
  attributes: Partial<Record<(typeof CARRIED_ATTRIBUTES)[number], string>>;
  /** `status 503`, `timeout`, `CERT_HAS_EXPIRED`, `malformed: …`: never a secret or transcript text. */
  reason: string;
  status?: number;
  failedAt: number;
  attempts: number;
}

/** Sends dead letters; resolves to the item identifiers the DLQ accepted. Never rejects. */
export type DeadLetterSink = (letters: readonly DeadLetter[]) => Promise<ReadonlySet<string>>;

const MAX_REASON = 256;

function deadLetterAttributes(letter: DeadLetter): Record<string, MessageAttributeValue> {
  const out: Record<string, MessageAttributeValue> = {};
  for (const name of CARRIED_ATTRIBUTES) {
    const value = letter.attributes[name];
    if (value) out[name] = { DataType: name === 'recordedAt' ? 'Number' : 'String', StringValue: value };
  }
  out[FAILURE_ATTRIBUTES.reason] = { DataType: 'String', StringValue: letter.reason.slice(0, MAX_REASON) || 'unknown' };
  if (letter.status !== undefined) out[FAILURE_ATTRIBUTES.status] = { DataType: 'Number', StringValue: String(letter.status) };
  out[FAILURE_ATTRIBUTES.failedAt] = { DataType: 'Number', StringValue: String(letter.failedAt) };
  out[FAILURE_ATTRIBUTES.attempts] = { DataType: 'Number', StringValue: String(letter.attempts) };
  return out;
}

export function sqsDeadLetterSink(
  dlqUrl: string,
  // See visibility.ts: route by AWS_ENDPOINT_URL_SQS, not by the queue URL's host.
  client: SQSClient = new SQSClient({ ...awsClientConfig(), useQueueUrlAsEndpoint: false }),
): DeadLetterSink {
  return async (letters) => {
    const accepted = new Set<string>();
    for (let i = 0; i < letters.length; i += 10) {
      const chunk = letters.slice(i, i + 10);
      try {
        const out = await client.send(
          new SendMessageBatchCommand({
            QueueUrl: dlqUrl,
            Entries: chunk.map((l, j) => ({ Id: String(j), MessageBody: l.body, MessageAttributes: deadLetterAttributes(l) })),
          }),
        );
        for (const ok of out.Successful ?? []) {
          const letter = chunk[Number(ok.Id)];
          if (letter) accepted.add(letter.itemIdentifier);
        }
        if (out.Failed?.length) {
          logger.warn('webhook: dead-letter queue refused messages; the redrive policy moves them instead', {
            failed: out.Failed.map((f) => ({ sqsMessageId: chunk[Number(f.Id)]?.itemIdentifier, code: f.Code })),
          });
        }
      } catch (err) {
        logger.warn('webhook: could not send to the dead-letter queue; the redrive policy moves the messages instead', {
          error: (err as Error).name,
        });
      }
    }
    return accepted;
  };
}
