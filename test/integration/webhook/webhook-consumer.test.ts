import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logger } from '#core/logger.ts';
import { UtterancePublisher } from '#core/queue/utterance-publisher.ts';
import { WebhookConsumer } from '#local/webhook-consumer.ts';
import { WebhookReceiver } from '#local/webhook-receiver.ts';
import { useEmulators } from '#test/support/emulators.ts';
import { RecordingLogger } from '#test/support/recording-logger.ts';
import { testUtterance } from '#test/support/utterance.ts';

/**
 * `npm start`'s webhook consumer on its own thread, against the SQS emulator and the built-in
 * receiver: the webhook Lambda's handler behind the local poller, started, stopped and restarted
 * after a crash by the main thread, each utterance delivered exactly once.
 */

const emulators = useEmulators({ sqs: true });

let sqs: SQSClient;
let receiver: WebhookReceiver;
/** Deliveries per utterance, by call and start. */
const received = new Map<string, number>();
const keyOf = (externalConversationId: string, startMs: number) => `${externalConversationId}@${startMs}`;
let webhookUrl: string;

beforeAll(async () => {
  sqs = new SQSClient({ region: 'us-east-1', endpoint: emulators().endpoints.sqs, useQueueUrlAsEndpoint: false });
  receiver = new WebhookReceiver(
    () => undefined,
    (body) =>
      received.set(
        keyOf(body.externalConversationId, body.autotranscribeResponse.start),
        (received.get(keyOf(body.externalConversationId, body.autotranscribeResponse.start)) ?? 0) + 1,
      ),
  );
  webhookUrl = `http://127.0.0.1:${(await receiver.listen(0, '127.0.0.1')).port}/webhook`;
});

afterAll(async () => {
  await receiver?.close();
  sqs?.destroy();
});

async function queue(name: string): Promise<{ url: string; arn: string }> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  return { url: QueueUrl!, arn: Attributes!.QueueArn! };
}

/** Publishes `count` utterances of call `conversationId` as the gateway does; returns their keys. */
async function publish(url: string, conversationId: string, count: number): Promise<string[]> {
  const publisher = new UtterancePublisher({ client: sqs, queueUrl: url, logger });
  // Recorded now: the webhook drops what is older than its deadline.
  const utterances = Array.from({ length: count }, (_, i) => ({
    ...testUtterance(i, conversationId),
    createdTimestamp: new Date().toISOString(),
  }));
  utterances.forEach((u) => publisher.publish(u));
  await publisher.close();
  return utterances.map((u) => keyOf(u.externalConversationId, u.startMs));
}

async function queued(url: string): Promise<number> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return Number(Attributes!.ApproximateNumberOfMessages) + Number(Attributes!.ApproximateNumberOfMessagesNotVisible);
}

/** The system's environment as the thread gets it: the emulator's endpoints and the webhook settings. */
const envFor = (queueUrl: string): NodeJS.ProcessEnv => ({
  ...process.env,
  WEBHOOK_URL: webhookUrl,
  WEBHOOK_AUTH_MODE: 'none',
  UTTERANCES_QUEUE_URL: queueUrl,
  MESSAGES_TABLE: '',
  WEBHOOK_DLQ_URL: '',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
});

describe('WebhookConsumer', () => {
  it('delivers from its own thread, each utterance exactly once, and ends the thread on stop', async () => {
    const q = await queue('consumer-deliver');
    const consumer = new WebhookConsumer({ env: envFor(q.url), queueUrl: q.url, queueArn: q.arn, logger: new RecordingLogger() });
    await consumer.start();
    const thread = consumer.thread!;
    expect(thread.threadId).toBeGreaterThan(0);
    const keys = await publish(q.url, 'consumer-deliver', 120);
    await expect.poll(() => keys.filter((t) => received.has(t)).length, { timeout: 20_000 }).toBe(keys.length);
    const ended = new Promise<number>((resolve) => thread.once('exit', resolve));
    await consumer.stop();
    await ended;
    expect(consumer.thread).toBeUndefined();
    expect(keys.every((t) => received.get(t) === 1)).toBe(true);
    expect(await queued(q.url)).toBe(0);
    expect(consumer.counters).toEqual({ starts: 1, crashes: 0 });
  });

  it('reports a crashed thread, starts another, and what was queued meanwhile is delivered exactly once', async () => {
    const q = await queue('consumer-crash');
    const log = new RecordingLogger();
    const consumer = new WebhookConsumer({ env: envFor(q.url), queueUrl: q.url, queueArn: q.arn, logger: log, restartDelayMs: 500 });
    await consumer.start();
    const first = consumer.thread!;
    // A crash: the thread ends without being asked to (as on an uncaught error or a fatal one).
    await first.terminate();
    const keys = await publish(q.url, 'consumer-crash', 50);
    await expect.poll(() => keys.filter((t) => received.has(t)).length, { timeout: 20_000 }).toBe(keys.length);
    expect(consumer.thread).toBeDefined();
    expect(consumer.thread).not.toBe(first);
    expect(consumer.counters).toEqual({ starts: 2, crashes: 1 });
    const errors = log.records.filter((r) => r.level === 'ERROR');
    expect(errors.map((r) => r.message)).toEqual(['webhook consumer thread ended unexpectedly; restarting it']);
    expect(errors[0].attributes).toMatchObject({ exitCode: 1, restartInMs: 500 });
    await consumer.stop();
    expect(keys.every((t) => received.get(t) === 1)).toBe(true);
    expect(await queued(q.url)).toBe(0);
  });
});
