import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { awsClientConfig, dynamoDbClient } from '#core/aws/clients.ts';
import { logger } from '#core/logger.ts';
import type { WebhookBody } from '#core/webhook/body.ts';
import { ensureTables } from './ensure-tables.ts';
import { startGateway, type RunningGateway } from '#gateway/gateway.ts';
import type { Recognizer } from '#gateway/recognition/recognizer.ts';
import { createConversationMessagesHandler } from '#lambdas/conversation-messages/handler.ts';
import { createCustomVocabulariesHandler } from '#lambdas/custom-vocabularies/handler.ts';
import { createConversationRecordingsHandler } from '#lambdas/conversation-recordings/handler.ts';
import { createRecordingsRuntime } from '#lambdas/conversation-recordings/runtime.ts';
import { createFileExporterHandler } from '#lambdas/file-exporter/handler.ts';
import { createFileExporterRuntime } from '#lambdas/file-exporter/runtime.ts';
import { createApiRuntime } from '#lambdas/shared/runtime.ts';
import { createStartStreamingHandler } from '#lambdas/start-streaming/handler.ts';
import { createStopStreamingHandler } from '#lambdas/stop-streaming/handler.ts';
import { join, resolve } from 'node:path';
import { createConsoleHandler } from '#lambdas/console/handler.ts';
import { createConsoleRuntime } from '#lambdas/console/runtime.ts';
import { CONSOLE_PATH, OPENAPI_PATH } from '#core/contract/routes.ts';
import { openApiDocument } from '#core/api/openapi.ts';
import type { ConsoleAuthMode } from '#core/contract/console-auth.ts';
import { LocalApiServer } from './api-server.ts';
import { checkLocalConfig } from './config-check.ts';
import { startStandIns, type StandIns } from './aws-standins.ts';
import { DEV_API_ID, DEV_API_SECRET } from './dev-credentials.ts';
import { apiCredentialsJson, audioHookKeysEnv } from '#core/credentials/credential-set.ts';
import { parseSet } from '#core/credentials/credential-store.ts';
import { startTranscribeStandInFromEnv, type TranscribeStandIn } from './transcribe-standin/from-env.ts';
import { WebhookConsumer } from './webhook-consumer.ts';
import { WebhookReceiver } from './webhook-receiver.ts';
import { createExportRuntime } from '#core/daily-export/runtime.ts';
import { startLocalFeedSchedule } from './feed-schedule.ts';
import { ensureBucket } from '#core/daily-export/export-bucket.ts';
import { createS3Client } from '#core/daily-export/s3-client.ts';
import { CONTROL_PORT } from '#core/contract/gateway-endpoints.ts';

/** Where `npm run build:console` writes the console (CONSOLE_DIR overrides). */
const CONSOLE_BUILD_DIR = 'dist/console';

/**
 * The whole system in one process, as `npm start` runs it: AWS stand-ins (unless AWS_ENDPOINT_URL
 * points at LocalStack or another emulator), the tables, queue and bucket the stack creates, the
 * gateway, the API on API_PORT in front of the real Lambda handlers, the queue poller feeding the
 * webhook Lambda (on a thread of its own: webhook-consumer.ts), the built-in transcript printer when
 * no WEBHOOK_URL is set, and the 02:00 UTC export.
 *
 * Everything is configured through `env`, exactly as the CDK stack configures the deployed parts.
 */

export interface LocalSystemOptions {
  /** Defaults to process.env; it is filled with the settings the parts read. */
  env?: NodeJS.ProcessEnv;
  recognizer?: Recognizer;
  /** Where printed transcripts go (default: stdout). */
  print?: (line: string) => void;
  /** Each transcript the built-in receiver gets, with its arrival time (performance.now()). */
  onTranscript?: (body: WebhookBody, arrivedAt: number) => void;
  /** Start the daily export scheduler (default true). */
  scheduler?: boolean;
}

export interface LocalSystem {
  gateway: RunningGateway;
  /** `console` is undefined when the console is not built (`npm run build:console`). */
  urls: { audiohook: string; api: string; webhook: string; health: string; console: string | undefined; openApi: string };
  receiver: WebhookReceiver | undefined;
  /** The webhook consumer's thread (queue poller and delivery). */
  webhookConsumer: WebhookConsumer;
  standIns: StandIns | undefined;
  /** The local Amazon Transcribe streaming service, when TRANSCRIBE_STAND_IN asked for it. */
  transcribeStandIn: TranscribeStandIn | undefined;
  queueUrl: string;
  deadLetterQueueUrl: string;
  stop(): Promise<void>;
}

export async function startLocalSystem(options: LocalSystemOptions = {}): Promise<LocalSystem> {
  const env = options.env ?? process.env;
  // The resources the stack would create, and development credentials when none are configured.
  env.CONVERSATIONS_TABLE ||= 'audiohook-conversations';
  env.MESSAGES_TABLE ||= 'audiohook-messages';
  env.VOCABULARY_TABLE ||= 'audiohook-custom-vocabularies';
  env.EXPORT_BUCKET ||= 'audiohook-exports';
  // The stack creates the recordings bucket unless recording is forbidden (CALL_RECORDING=forbidden).
  if (env.CALL_RECORDING !== 'forbidden') env.RECORDINGS_BUCKET ||= 'audiohook-recordings';
  applyCredentialsFile(env);
  if (!env.API_ID && !env.API_CREDENTIALS && !env.API_CREDENTIALS_SECRET_ARN) {
    env.API_ID = DEV_API_ID;
    env.API_SECRET = DEV_API_SECRET;
  }
  const listeners = await checkLocalConfig(env);
  const host = listeners.LOCAL_HOST;
  const stops: Array<() => Promise<void>> = [];

  let standIns: StandIns | undefined;
  if (!env.AWS_ENDPOINT_URL) {
    standIns = await startStandIns({ dataDir: env.DATA_DIR || undefined, sqsAndS3: true, host });
    standIns.applyToEnv(env);
    stops.push(() => standIns!.stop());
  } else {
    env.AWS_REGION ??= 'us-east-1';
    env.AWS_ACCESS_KEY_ID ??= 'test';
    env.AWS_SECRET_ACCESS_KEY ??= 'test';
  }

  await ensureTables(dynamoDbClient(), {
    conversations: env.CONVERSATIONS_TABLE,
    messages: env.MESSAGES_TABLE,
    vocabulary: env.VOCABULARY_TABLE,
  });
  const sqs = new SQSClient({ ...awsClientConfig(), useQueueUrlAsEndpoint: false });
  const queue = await createQueues(sqs, env.UTTERANCES_QUEUE_NAME || 'audiohook-utterances');
  sqs.destroy();
  env.UTTERANCES_QUEUE_URL = queue.url;
  // The webhook function dead-letters failures itself, with the reason (`npm run dlq` shows it).
  env.WEBHOOK_DLQ_URL = queue.dlqUrl;
  await ensureBucket(createS3Client({}, env), env.EXPORT_BUCKET);
  if (env.RECORDINGS_BUCKET) await ensureBucket(createS3Client({}, env), env.RECORDINGS_BUCKET);

  // The API signs control requests with it and the gateway checks them, as in AWS; fresh every run.
  env.CONTROL_SECRET ||= randomBytes(32).toString('base64url');
  env.CONTROL_HOST ||= host;
  env.CONTROL_PORT ||= String(CONTROL_PORT);

  // Webhook target: the customer's, or the built-in printer.
  let receiver: WebhookReceiver | undefined;
  if (!env.WEBHOOK_URL) {
    receiver = new WebhookReceiver(options.print, options.onTranscript);
    const address = await receiver.listen(listeners.WEBHOOK_RECEIVER_PORT, host);
    env.WEBHOOK_URL = `http://${host}:${address.port}/webhook`;
    env.WEBHOOK_AUTH_MODE ??= 'none';
    stops.unshift(() => receiver!.close());
  }

  // Only on request: with RECOGNIZER=transcribe alone, the gateway talks to Amazon Transcribe.
  const transcribeStandIn = await startTranscribeStandInFromEnv(env, host);
  if (transcribeStandIn) stops.push(() => transcribeStandIn.stop());

  const gateway = await startGateway({ env, recognizer: options.recognizer });
  stops.unshift(() => gateway.close());

  // The webhook Lambda's handler behind a local SQS poller, on a thread of its own (the other core).
  const webhookConsumer = new WebhookConsumer({
    env,
    queueUrl: queue.url,
    queueArn: queue.arn,
    concurrency: listeners.WEBHOOK_MAX_CONCURRENT_BATCHES,
    logger,
  });
  stops.unshift(() => webhookConsumer.stop());
  await webhookConsumer.start();

  const apiRuntime = createApiRuntime(env);
  const fileExporterRuntime = createFileExporterRuntime(env, () => apiRuntime);
  // The console needs no sign-in here, and answers only connections from this machine.
  env.CONSOLE_AUTH ||= 'loopback' satisfies ConsoleAuthMode;
  const consoleRuntime = createConsoleRuntime(env, () => apiRuntime);
  const recordingsRuntime = createRecordingsRuntime(env, () => apiRuntime);
  const consoleDir = resolve(import.meta.dirname, '..', env.CONSOLE_DIR || CONSOLE_BUILD_DIR);
  const consoleBuilt = existsSync(join(consoleDir, 'index.html'));
  const api = new LocalApiServer(
    {
      'start-streaming': createStartStreamingHandler(() => apiRuntime),
      'stop-streaming': createStopStreamingHandler(() => apiRuntime),
      'conversation-messages': createConversationMessagesHandler(() => apiRuntime),
      'conversation-recordings': createConversationRecordingsHandler(() => recordingsRuntime),
      'file-exporter': createFileExporterHandler(() => fileExporterRuntime),
      console: createConsoleHandler(() => consoleRuntime),
      'custom-vocabularies': createCustomVocabulariesHandler(() => apiRuntime),
    },
    { consoleDir: consoleBuilt ? consoleDir : undefined, openApi: openApiDocument() },
  );
  const apiAddress = await api.listen(listeners.API_PORT, host);
  stops.unshift(() => api.close());

  if (options.scheduler ?? true) {
    const schedule = startLocalFeedSchedule(createExportRuntime(env));
    stops.unshift(async () => schedule.stop());
  }

  const urls = {
    audiohook: `ws://${host}:${gateway.address.port}${gateway.config.AUDIOHOOK_PATH}`,
    api: `http://${host}:${apiAddress.port}`,
    webhook: env.WEBHOOK_URL,
    health: `http://${host}:${gateway.address.port}/health`,
    console: consoleBuilt ? `http://${host}:${apiAddress.port}${CONSOLE_PATH}/` : undefined,
    openApi: `http://${host}:${apiAddress.port}${OPENAPI_PATH}`,
  };
  return {
    gateway,
    urls,
    receiver,
    webhookConsumer,
    standIns,
    transcribeStandIn,
    queueUrl: queue.url,
    deadLetterQueueUrl: queue.dlqUrl,
    async stop() {
      for (const stop of stops) {
        try {
          await stop();
        } catch (error) {
          logger.warn('shutdown step failed', { error: (error as Error).message });
        }
      }
    },
  };
}

/**
 * Credentials made with `npm run credentials` (CREDENTIALS_FILE; `npm start` defaults it to
 * .local/credentials.json): every pair in the file is valid, rotated ones included, unless the
 * environment configures credentials itself.
 */
function applyCredentialsFile(env: NodeJS.ProcessEnv): void {
  const file = env.CREDENTIALS_FILE;
  if (!file || !existsSync(file)) return;
  const set = parseSet(readFileSync(file, 'utf8'), file);
  if (set.api.length > 0 && !env.API_ID && !env.API_CREDENTIALS && !env.API_CREDENTIALS_SECRET_ARN)
    env.API_CREDENTIALS = apiCredentialsJson(set.api);
  if (set.audiohook.length > 0 && !env.AUDIOHOOK_API_KEY && !env.AUDIOHOOK_API_KEYS)
    env.AUDIOHOOK_API_KEYS = audioHookKeysEnv(set.audiohook);
}

/** The utterances queue and its dead-letter queue, with the stack's redrive (one receive). */
async function createQueues(sqs: SQSClient, name: string): Promise<{ url: string; arn: string; dlqUrl: string }> {
  const dlq = await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }));
  const dlqArn = await queueArn(sqs, dlq.QueueUrl!);
  const main = await sqs.send(
    new CreateQueueCommand({
      QueueName: name,
      Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 1 }), VisibilityTimeout: '30' },
    }),
  );
  return { url: main.QueueUrl!, arn: await queueArn(sqs, main.QueueUrl!), dlqUrl: dlq.QueueUrl! };
}

async function queueArn(sqs: SQSClient, url: string): Promise<string> {
  const attributes = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
  return attributes.Attributes!.QueueArn!;
}
