import { getHeapStatistics } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import { SQSClient } from '@aws-sdk/client-sqs';
import { awsClientConfig } from '#core/aws/clients.ts';
import { logger } from '#core/logger.ts';
import { createHandler as createWebhookHandler } from '#lambdas/webhook-delivery/handler.ts';
import { QueuePoller } from './queue-poller.ts';
import type { ConsumerCommand, ConsumerThreadData, ConsumerThreadEvent } from './webhook-consumer.ts';

/**
 * The webhook consumer's thread (started by webhook-consumer.ts): the local stand-in for Lambda's SQS
 * event source polling the utterances queue into the webhook Lambda's own handler, configured from
 * this thread's environment (the system's, copied at start) exactly as the function is. It says
 * `ready` once polling, answers `heap` with its heap in use, and on `stop` finishes the batches in flight, closes its sockets and ends.
 */
const { queueUrl, queueArn, concurrency } = workerData as ConsumerThreadData;
const port = parentPort!;
const post = (event: ConsumerThreadEvent) => port.postMessage(event);

const sqs = new SQSClient({ ...awsClientConfig(), useQueueUrlAsEndpoint: false });
const handler = createWebhookHandler(process.env);
const poller = new QueuePoller({
  sqs,
  queueUrl,
  queueArn,
  ...(concurrency !== undefined ? { concurrency } : {}),
  handler: (event) => handler(event),
  logger,
});
poller.start();

port.on('message', (command: ConsumerCommand) => {
  if (command.type === 'heap') {
    // After a full collection when the process allows one (a benchmark's --expose-gc), as the main thread's.
    (globalThis as { gc?: () => void }).gc?.();
    post({ type: 'heap', usedBytes: getHeapStatistics().used_heap_size });
    return;
  }
  void (async () => {
    try {
      await poller.stop();
      await handler.close();
    } finally {
      sqs.destroy();
      post({ type: 'stopped' });
      port.close();
    }
  })();
});
post({ type: 'ready' });
