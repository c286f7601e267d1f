import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Utterance } from '#core/domain/utterance.ts';
import { logger } from '#core/logger.ts';
import { UtterancePublisher } from '#core/queue/utterance-publisher.ts';
import { WebhookConsumer } from '#local/webhook-consumer.ts';
import { WebhookReceiver } from '#local/webhook-receiver.ts';
import { useEmulators } from '#test/support/emulators.ts';
import { RecordingLogger } from '#test/support/recording-logger.ts';

/**
 * `npm start`'s webhook consumer on its own thread, against the SQS emulator and the built-in
 * receiver: the webhook Lambda's handler behind the local poller, started, stopped and restarted
 * after a crash by the main thread, each utterance delivered exactly once.
 */

const emulators = useEmulators({ sqs: true });

let sqs: SQSClient;
let receiver: WebhookReceiver;
const received = new Map<string, number>();
let webhookUrl: string;

beforeAll(async () => {
  sqs = new SQSClient({ region: 'us-east-1', endpoint: emulators().endpoints.sqs, useQueueUrlAsEndpoint: false });
  receiver = new WebhookReceiver(
    () => undefined,
    (body) =>
      received.set(body.autotranscribeResponse.utterance[0].text, (received.get(body.autotranscribeResponse.utterance[0].text) ?? 0) + 1),
  );
  webhookUrl = `http://127.0.0.1:${(await receiver.listen(0, '127.0.0.1')).port}/webhook`;
});

afterAll(async () => {
  await receiver?.close();
  sqs?.destroy();
});

function utterance(text: string, i: number): Utterance {
  return {
    conversationId: `conv-${i % 5}`,
    externalConversationId: `CONV-${i % 5}`,
    messageId: `01JCONSUMER${String(i).padStart(15, '0')}`,
    streamId: 's-1',
    role: i % 2 ? 'agent' : 'customer',
    externalId: 'X',
    startMs: i * 1000,
    endMs: i * 1000 + 500,
    maskedText: text,
    rawText: text,
    redactionOutput: 'redacted',
    clientTimestamp: new Date().toISOString(),
    createdTimestamp: new Date().toISOString(),
    tenant: 't',
  };
}

async function queue(name: string): Promise<{ url: string; arn: string }> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  return { url: QueueUrl!, arn: Attributes!.QueueArn! };
}

async function publish(url: string, texts: string[]): Promise<void> {
  const publisher = new UtterancePublisher({ client: sqs, queueUrl: url, logger });
  texts.forEach((text, i) => publisher.publish(utterance(text, i)));
  await publisher.close();
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
    const texts = Array.from({ length: 120 }, (_, i) => `deliver ${i}`);
    const consumer = new WebhookConsumer({ env: envFor(q.url), queueUrl: q.url, queueArn: q.arn, logger: new RecordingLogger() });
    await consumer.start();
    const thread = consumer.thread!;
    expect(thread.threadId).toBeGreaterThan(0);
    await publish(q.url, texts);
    await expect.poll(() => texts.filter((t) => received.has(t)).length, { timeout: 20_000 }).toBe(texts.length);
    const ended = new Promise<number>((resolve) => thread.once('exit', resolve));
    await consumer.stop();
    await ended;
    expect(consumer.thread).toBeUndefined();
    expect(texts.every((t) => received.get(t) === 1)).toBe(true);
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
    const texts = Array.from({ length: 50 }, (_, i) => `while down ${i}`);
    await publish(q.url, texts);
    await expect.poll(() => texts.filter((t) => received.has(t)).length, { timeout: 20_000 }).toBe(texts.length);
    expect(consumer.thread).toBeDefined();
    expect(consumer.thread).not.toBe(first);
    expect(consumer.counters).toEqual({ starts: 2, crashes: 1 });
    const errors = log.records.filter((r) => r.level === 'ERROR');
    expect(errors.map((r) => r.message)).toEqual(['webhook consumer thread ended unexpectedly; restarting it']);
    expect(errors[0].attributes).toMatchObject({ exitCode: 1, restartInMs: 500 });
    await consumer.stop();
    expect(texts.every((t) => received.get(t) === 1)).toBe(true);
    expect(await queued(q.url)).toBe(0);
  });
});
