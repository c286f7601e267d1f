import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { Message } from '@aws-sdk/client-sqs';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { startFauxqs } from 'fauxqs';
import type { FauxqsServer } from 'fauxqs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createHandler } from '#lambdas/webhook-delivery/handler.ts';
import { sqsEventFromMessages } from '#core/webhook/sqs-event.ts';
import { createTestPki } from './support/certs.ts';
import type { TestPki } from './support/certs.ts';
import { memoryRecorder, startServer, webhookBodyJson } from './support/servers.ts';
import type { TestServer } from './support/servers.ts';

/**
 * The handler as the local queue poller (and Lambda) drives it, against a real SQS emulator with the
 * redrive policy the stack sets (maxReceiveCount = WEBHOOK_MAX_ATTEMPTS = 1): delivered messages are
 * deleted, failed ones land in the DLQ with their body, and nothing is handed to the function twice.
 */

let sqsServer: FauxqsServer;
let sqs: SQSClient;
let target: TestServer;
let pki: TestPki;
const secretsMock = mockClient(SecretsManagerClient);

beforeAll(async () => {
  sqsServer = await startFauxqs({ port: 0, logger: false });
  const endpoint = `http://127.0.0.1:${sqsServer.port}`;
  vi.stubEnv('AWS_ENDPOINT_URL_SQS', endpoint);
  vi.stubEnv('AWS_REGION', 'us-east-1');
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'test');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
  sqs = new SQSClient({ endpoint });
  pki = createTestPki();
  target = await startServer({ cert: pki.server.cert, key: pki.server.key }, (req, res) => {
    const streamId = (JSON.parse(req.body) as { streamId: string }).streamId;
    res.writeHead(req.headers['x-hook-token'] !== 'from-secrets-manager' ? 403 : streamId === 'fail' ? 500 : 200).end();
  });
});

afterAll(async () => {
  vi.unstubAllEnvs();
  secretsMock.restore();
  sqs?.destroy();
  await target?.close();
  await sqsServer?.stop();
  pki?.cleanup();
});

async function receiveAll(queueUrl: string): Promise<Message[]> {
  const out = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 10,
      MessageAttributeNames: ['All'],
      MessageSystemAttributeNames: ['All'],
      WaitTimeSeconds: 0,
    }),
  );
  return out.Messages ?? [];
}

describe('webhook-delivery handler', () => {
  it('delivers, reports partial failures, and failures reach the DLQ', async () => {
    const dlq = sqsServer.createQueue('utterances-dlq');
    const queue = sqsServer.createQueue('utterances', {
      attributes: {
        VisibilityTimeout: '30',
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.queueArn, maxReceiveCount: 1 }),
      },
    });
    secretsMock
      .on(GetSecretValueCommand)
      .resolves({ SecretString: JSON.stringify({ WEBHOOK_SECRET_TOKEN_VALUE: 'from-secrets-manager' }) });

    const recorder = memoryRecorder();
    const handler = createHandler(
      {
        WEBHOOK_URL: target.url,
        WEBHOOK_AUTH_MODE: 'secret-token+custom-ca',
        WEBHOOK_CA_PEM: pki.serverCa.cert,
        WEBHOOK_SECRET_TOKEN_NAME: 'X-Hook-Token',
        WEBHOOK_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:webhook',
        WEBHOOK_TIMEOUT_MS: '1000',
        UTTERANCES_QUEUE_URL: queue.queueUrl,
      },
      { recorder },
    );

    const now = Date.now();
    const entry = (id: string, body: string, conversationId: string, recordedAt = now) => ({
      Id: id,
      MessageBody: body,
      MessageAttributes: {
        conversationId: { DataType: 'String', StringValue: conversationId },
        messageId: { DataType: 'String', StringValue: `01J${id.toUpperCase().padStart(23, '0')}` },
        recordedAt: { DataType: 'Number', StringValue: String(recordedAt) },
      },
    });
    const failingBody = webhookBodyJson({ conversationId: 'conv-b', streamId: 'fail' });
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queue.queueUrl,
        Entries: [
          entry('a1', webhookBodyJson({ conversationId: 'conv-a', start: 1 }), 'conv-a'),
          entry('b1', failingBody, 'conv-b'),
          entry('x1', '{"broken":', 'conv-c'),
          entry('a2', webhookBodyJson({ conversationId: 'conv-a', start: 2 }), 'conv-a'),
          entry('old', webhookBodyJson({ conversationId: 'conv-d' }), 'conv-d', now - 120_000),
        ],
      }),
    );

    // One poll of the local runtime's queue poller.
    const messages = await receiveAll(queue.queueUrl);
    expect(messages).toHaveLength(5);
    const event = sqsEventFromMessages(messages, queue.queueArn);
    const response = await handler(event);
    const failedIds = response.batchItemFailures.map((f) => f.itemIdentifier);
    const byBody = (body: string) => messages.find((m) => m.Body === body)?.MessageId;
    expect(new Set(failedIds)).toEqual(new Set([byBody(failingBody), byBody('{"broken":')]));
    const done = messages.filter((m) => !failedIds.includes(m.MessageId ?? ''));
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queue.queueUrl,
        Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })),
      }),
    );

    expect(recorder.events.map((e) => e.kind).sort()).toEqual(['delivered', 'delivered', 'dropped', 'failed', 'malformed']);
    expect(
      target.requests.map((r) => (JSON.parse(r.body) as { autotranscribeResponse: { start: number } }).autotranscribeResponse.start),
    ).toEqual(expect.arrayContaining([1, 2]));
    const convA = target.requests.filter((r) => r.body.includes('"conv-a"')).map((r) => r.body);
    expect(convA.map((b) => (JSON.parse(b) as { autotranscribeResponse: { start: number } }).autotranscribeResponse.start)).toEqual([1, 2]);

    // The handler set the failures' visibility to 0: the next poll moves them to the DLQ instead of
    // handing them back.
    expect(await receiveAll(queue.queueUrl)).toEqual([]);
    const deadLettered = await receiveAll(dlq.queueUrl);
    expect(deadLettered.map((m) => m.Body).sort()).toEqual([failingBody, '{"broken":'].sort());

    // The secret was read once for the container, not per invocation.
    await handler(sqsEventFromMessages([], queue.queueArn));
    expect(secretsMock.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    await handler.close();
  });

  it('fails the invocation on a configuration error and tries again on the next one', async () => {
    const handler = createHandler({ WEBHOOK_URL: target.url, WEBHOOK_AUTH_MODE: 'mtls' }, { recorder: memoryRecorder() });
    await expect(handler({ Records: [] })).rejects.toThrow(
      'WEBHOOK_CLIENT_CERT_PEM (or WEBHOOK_CLIENT_CERT_FILE) is required when WEBHOOK_AUTH_MODE includes mtls',
    );
    await expect(handler({ Records: [] })).rejects.toThrow('invalid webhook configuration');
  });
});
