import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { logger } from '#core/logger.ts';
import { UtterancePublisher } from '#core/queue/utterance-publisher.ts';
import { useEmulators } from '#test/support/emulators.ts';
import { testUtterance } from '#test/support/utterance.ts';

/** The gateway's queue publisher against the SQS emulator, and against a queue that is down. */

const emulators = useEmulators({ sqs: true });

async function drain(sqs: SQSClient, queueUrl: string, expected: number) {
  const bodies: Array<{ body: any; attributes: Record<string, string | undefined> }> = [];
  while (bodies.length < expected) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageAttributeNames: ['All'] }),
    );
    if (Messages.length === 0) break;
    for (const m of Messages) {
      bodies.push({
        body: JSON.parse(m.Body!),
        attributes: Object.fromEntries(Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue])),
      });
    }
  }
  return bodies;
}

describe('UtterancePublisher', () => {
  it('queues every utterance as a webhook body with the attributes that restore its order', async () => {
    const sqs = new SQSClient({ region: 'us-east-1', endpoint: emulators().endpoints.sqs, useQueueUrlAsEndpoint: false });
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'publisher-order' }));
    const publisher = new UtterancePublisher({ client: sqs, queueUrl: QueueUrl!, logger });
    for (let i = 0; i < 35; i++) publisher.publish(testUtterance(i));
    await publisher.flush();
    expect(publisher.counters).toMatchObject({ published: 35, dropped: 0 });
    const received = await drain(sqs, QueueUrl!, 35);
    expect(received).toHaveLength(35);
    // Batches go a few at a time and a standard queue keeps no order: recordedAt carries it.
    received.sort((a, b) => Number(a.attributes.recordedAt) - Number(b.attributes.recordedAt));
    expect(received.map((r) => r.body.autotranscribeResponse.start)).toEqual(Array.from({ length: 35 }, (_, i) => i * 1000));
    expect(received[0].body).toEqual({
      type: 'transcript',
      externalConversationId: 'CONV-1',
      streamId: 's-1',
      sender: { externalId: 'X', role: 'customer' },
      autotranscribeResponse: { message: 'transcript', start: 0, end: 500, utterance: [{ text: 'text ####' }] },
    });
    expect(received[3].attributes).toEqual({
      conversationId: 'conv-1',
      messageId: testUtterance(3).messageId,
      recordedAt: String(1_700_000_000_003),
    });
    await publisher.close();
  });

  it('keeps up with a burst by sending full batches four at a time', async () => {
    const sqs = new SQSClient({ region: 'us-east-1', endpoint: emulators().endpoints.sqs, useQueueUrlAsEndpoint: false });
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'publisher-burst' }));
    let inFlight = 0;
    let most = 0;
    let requests = 0;
    const send = sqs.send.bind(sqs) as (command: unknown) => Promise<unknown>;
    Object.assign(sqs, {
      send: async (command: unknown) => {
        requests++;
        most = Math.max(most, ++inFlight);
        try {
          return await send(command);
        } finally {
          inFlight--;
        }
      },
    });
    const publisher = new UtterancePublisher({ client: sqs, queueUrl: QueueUrl!, logger });
    for (let i = 0; i < 200; i++) publisher.publish(testUtterance(i, `conv-${i % 9}`));
    await publisher.flush();
    expect(publisher.counters).toMatchObject({ published: 200, dropped: 0 });
    expect(requests).toBe(20);
    expect(most).toBe(4);
    expect(await drain(sqs, QueueUrl!, 200)).toHaveLength(200);
    await publisher.close();
  });

  it('sends a part-full batch only when no request is out, so a steady stream goes in full batches', async () => {
    const sqs = new SQSClient({ region: 'us-east-1', endpoint: emulators().endpoints.sqs, useQueueUrlAsEndpoint: false });
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'publisher-steady' }));
    const sizes: number[] = [];
    const send = sqs.send.bind(sqs) as (command: { input: { Entries?: unknown[] } }) => Promise<unknown>;
    Object.assign(sqs, {
      send: async (command: { input: { Entries?: unknown[] } }) => {
        if (command.input.Entries) sizes.push(command.input.Entries.length);
        // A slow queue: what is published meanwhile waits for a full batch or for this request.
        await new Promise((r) => setTimeout(r, 30));
        return send(command);
      },
    });
    const publisher = new UtterancePublisher({ client: sqs, queueUrl: QueueUrl!, logger });
    // 3 utterances every 5 ms: one request per utterance would be 120.
    for (let i = 0; i < 120; i += 3) {
      for (let j = i; j < i + 3; j++) publisher.publish(testUtterance(j, `conv-${j % 9}`));
      await new Promise((r) => setTimeout(r, 5));
    }
    await publisher.flush();
    expect(publisher.counters).toMatchObject({ published: 120, dropped: 0 });
    expect(sizes[0]).toBe(3);
    expect(sizes.length).toBeLessThanOrEqual(120 / 10 + 3);
    expect(await drain(sqs, QueueUrl!, 120)).toHaveLength(120);
    await publisher.close();
  });

  it('lets a part-full batch wait for company a moment after the previous request, however fast the queue', async () => {
    const sqs = new SQSClient({ region: 'us-east-1', endpoint: emulators().endpoints.sqs, useQueueUrlAsEndpoint: false });
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'publisher-linger' }));
    const sizes: number[] = [];
    const send = sqs.send.bind(sqs) as (command: { input: { Entries?: unknown[] } }) => Promise<unknown>;
    Object.assign(sqs, {
      send: (command: { input: { Entries?: unknown[] } }) => {
        if (command.input.Entries) sizes.push(command.input.Entries.length);
        return send(command);
      },
    });
    const publisher = new UtterancePublisher({ client: sqs, queueUrl: QueueUrl!, logger });
    const began = performance.now();
    // 1 utterance every 2 ms or so: a request each time would be 100.
    for (let i = 0; i < 100; i++) {
      publisher.publish(testUtterance(i, `conv-${i % 9}`));
      await new Promise((r) => setTimeout(r, 2));
    }
    await publisher.flush();
    const elapsedMs = performance.now() - began;
    expect(publisher.counters).toMatchObject({ published: 100, dropped: 0 });
    expect(sizes[0]).toBe(1);
    // At most one part-full request per 20 ms, however slowly this loop ran.
    expect(sizes.length).toBeLessThanOrEqual(Math.ceil(elapsedMs / 20) + 2);
    expect(await drain(sqs, QueueUrl!, 100)).toHaveLength(100);
    await publisher.close();
  });

  it('never blocks the caller while the queue is down, retries, then drops oldest-first with a count', async () => {
    const sqs = new SQSClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9', maxAttempts: 1 });
    const publisher = new UtterancePublisher({
      client: sqs,
      queueUrl: 'http://127.0.0.1:9/000000000000/down',
      logger,
      maxAttempts: 2,
      maxQueued: 5,
    });
    // publish() is synchronous: all eight return before the first send to the dead queue has failed.
    for (let i = 0; i < 8; i++) publisher.publish(testUtterance(i));
    expect(publisher.counters.published).toBe(0);
    await publisher.flush();
    expect(publisher.counters.published).toBe(0);
    expect(publisher.counters.dropped).toBe(8);
    await publisher.close();
  });
});
