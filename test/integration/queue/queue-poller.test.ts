import { CreateQueueCommand, GetQueueAttributesCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { logger } from '#core/logger.ts';
import { QueuePoller } from '#local/queue-poller.ts';
import { useEmulators } from '#test/support/emulators.ts';

/** The local stand-in for Lambda's SQS event source, against the SQS emulator. */

const emulators = useEmulators({ sqs: true });

describe('QueuePoller', () => {
  it.each([
    ['five at a time by default, as the stack allows', undefined, 5],
    ['as many at a time as WEBHOOK_MAX_CONCURRENT_BATCHES says', 8, 8],
    ['more than ten at a time without a listener-leak warning', 12, 12],
  ])('hands batches to the handler %s, and deletes each message once handled', async (_, concurrency, expected) => {
    const sqs = new SQSClient({ region: 'us-east-1', endpoint: emulators().endpoints.sqs, useQueueUrlAsEndpoint: false });
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `poller-concurrency-${expected}` }));
    for (let b = 0; b < 2 * expected; b++) {
      await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl,
          Entries: Array.from({ length: 10 }, (_, i) => ({ Id: String(i), MessageBody: `m-${b * 10 + i}` })),
        }),
      );
    }
    const handled = new Map<string, number>();
    let inFlight = 0;
    let most = 0;
    const poller = new QueuePoller({
      sqs,
      queueUrl: QueueUrl!,
      queueArn: `arn:aws:sqs:us-east-1:000000000000:poller-concurrency-${expected}`,
      logger,
      ...(concurrency !== undefined ? { concurrency } : {}),
      handler: async (event) => {
        most = Math.max(most, ++inFlight);
        // A slow webhook: batches overlap only if several loops poll.
        await new Promise((r) => setTimeout(r, 100));
        inFlight--;
        for (const r of event.Records) handled.set(r.body, (handled.get(r.body) ?? 0) + 1);
      },
    });
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    poller.start();
    await expect.poll(() => handled.size, { timeout: 10_000 }).toBe(20 * expected);
    await poller.stop();
    process.off('warning', onWarning);
    expect(warnings.map((w) => w.name)).not.toContain('MaxListenersExceededWarning');
    expect([...handled.values()].every((n) => n === 1)).toBe(true);
    expect(most).toBe(expected);
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    expect(Attributes).toMatchObject({ ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' });
    sqs.destroy();
  });
});
