import type { AddressInfo } from 'node:net';
import { ECSClient } from '@aws-sdk/client-ecs';
import { SQSClient } from '@aws-sdk/client-sqs';
import { awsClientConfig, dynamoDbDocumentClient } from '#core/aws/clients.ts';
import { loadStoreConfig } from '#core/config/stores.ts';
import { loadRedactionPolicy } from '#core/config/api.ts';
import { SUPPORTED_LANGUAGES } from '#core/domain/transcription.ts';
import { logger } from '#core/logger.ts';
import { UtterancePublisher } from '#core/queue/utterance-publisher.ts';
import { createStores } from '#core/stores/create-stores.ts';
import { tenantRedaction } from '#core/text/pipeline.ts';
import { createApiKeySet, loadApiKeys, type ApiKeySet } from './audiohook/api-keys.ts';
import type { ReplayCache } from './audiohook/nonce-cache.ts';
import { SharedNonceCache } from './audiohook/shared-nonce-cache.ts';
import { DEV_AUDIOHOOK_API_KEY, DEV_AUDIOHOOK_CLIENT_SECRET } from './audiohook/dev-credentials.ts';
import type { AudioHookSession } from './audiohook/session.ts';
import type { CallEvents } from './call.ts';
import { LiveCalls } from './live-calls.ts';
import { loadGatewayConfig, type GatewayConfig } from './config.ts';
import { ControlServer } from './control-server.ts';
import { decideRetirement, readServiceSnapshot } from './ecs/service-membership.ts';
import { TaskRetirement } from './ecs/retirement.ts';
import { advertisedControlUrl } from './ecs/task-address.ts';
import { readTaskMetadata, type TaskMetadata } from './ecs/task-metadata.ts';
import { TaskProtection } from './ecs/task-protection.ts';
import { createRecognizer } from './recognition/create-recognizer.ts';
import type { Recognizer } from './recognition/recognizer.ts';
import { combineCallEvents, GatewayMetrics } from './metrics/gateway-metrics.ts';
import { LivePublisher } from './registry/live-publisher.ts';
import { sessionRegistration } from './session-registration.ts';
import { GatewayServer } from './server.ts';
import { recordingSink } from './utterances/recording-sink.ts';
import type { UtteranceSink } from './utterances/utterance-sink.ts';
import { VOCABULARY_LIMITS } from '#core/vocabulary/custom-vocabulary.ts';
import { tenantVocabulary, type TenantVocabulary } from '#core/vocabulary/tenant-vocabulary.ts';
import { recorderFromConfig } from './recording/call-recorder.ts';
import type { VocabularyDirectory } from './recognition/transcribe/vocabulary-directory.ts';

/**
 * Assembles a gateway from configuration: keys, recognizer, the control endpoint, and — when the
 * tables are configured (CONVERSATIONS_TABLE, MESSAGES_TABLE, optionally UTTERANCES_QUEUE_URL) — the
 * session registry and the store-then-queue utterance sink. The container entry point (main.ts) and
 * the all-in-one local runtime both start it this way.
 */

export interface GatewayParts {
  env?: NodeJS.ProcessEnv;
  recognizer?: Recognizer;
}

export interface RunningGateway {
  server: GatewayServer;
  control: ControlServer;
  config: GatewayConfig;
  address: AddressInfo;
  controlUrl: string;
  recognizer: Recognizer;
  publisher: UtterancePublisher | undefined;
  /** Which Amazon Transcribe custom vocabulary streams name (RECOGNIZER=transcribe, TRANSCRIBE_VOCABULARIES). */
  engineVocabulary: VocabularyDirectory | undefined;
  drain(): Promise<{ remaining: number }>;
  close(): Promise<void>;
}

export async function startGateway(parts: GatewayParts = {}): Promise<RunningGateway> {
  const env = parts.env ?? process.env;
  const config = loadGatewayConfig(env);
  const apiKeys = keysOrDevelopmentDefaults(env);
  const engine = parts.recognizer ?? (await createRecognizer(config.RECOGNIZER));

  const calls = new LiveCalls();
  const control = new ControlServer(calls, { secret: config.CONTROL_SECRET, redaction: loadRedactionPolicy(env) });
  const controlAddress = await control.listen(config.CONTROL_PORT, config.CONTROL_HOST);
  // On ECS: who this task is (its address, and what the retirement check asks about).
  const task = env.ECS_CONTAINER_METADATA_URI_V4 ? await readTaskMetadata(env.ECS_CONTAINER_METADATA_URI_V4) : undefined;
  const controlUrl = advertisedControlUrl({ configured: config.CONTROL_ADVERTISED_URL, metadata: task, port: controlAddress.port });

  let sink: UtteranceSink;
  let events: CallEvents | undefined;
  let publisher: UtterancePublisher | undefined;
  let metrics: GatewayMetrics | undefined;
  let live: LivePublisher | undefined;
  let vocabulary: ((tenant: string) => Promise<TenantVocabulary>) | undefined;
  let engineVocabulary: VocabularyDirectory | undefined;
  let nonceCache: ReplayCache | undefined;
  if (env.CONVERSATIONS_TABLE && config.REPLAY_CACHE !== 'task') {
    nonceCache = new SharedNonceCache({ client: dynamoDbDocumentClient(), tableName: env.CONVERSATIONS_TABLE, logger });
  }
  if (env.CONVERSATIONS_TABLE && env.MESSAGES_TABLE) {
    const stores = createStores(loadStoreConfig(env));
    live = new LivePublisher({
      sessions: () => server.sessions,
      calls,
      store: stores.live,
      intervalMs: config.LIVE_PUBLISH_INTERVAL_MS,
      logger,
    });
    if (env.UTTERANCES_QUEUE_URL) {
      // useQueueUrlAsEndpoint:false keeps AWS_ENDPOINT_URL_SQS in charge when an emulator's queue URL names another host.
      const sqs = new SQSClient({ ...awsClientConfig(), useQueueUrlAsEndpoint: false });
      publisher = new UtterancePublisher({ client: sqs, queueUrl: env.UTTERANCES_QUEUE_URL, logger });
    } else logger.warn('UTTERANCES_QUEUE_URL not set: utterances are stored but no webhook is sent');
    if (config.GATEWAY_METRICS === 'emf') {
      metrics = new GatewayMetrics({
        sessions: (): ReadonlySet<AudioHookSession> => server.sessions,
        publisher,
        intervalMs: config.METRICS_INTERVAL_MS,
      });
    }
    const recording = recordingSink({ messages: stores.messages, publisher, logger });
    sink = live.countingSink(metrics ? metrics.sink(recording) : recording);
    events = combineCallEvents(
      sessionRegistration({
        conversations: stores.conversations,
        gatewayUrl: controlUrl,
        logger,
        onFailure: () => metrics?.registrationFailed(),
      }),
      metrics?.callEvents(),
    );
    const vocabularies = stores.vocabulary;
    if (vocabularies) vocabulary = async (tenant) => tenantVocabulary(await vocabularies.all(tenant, VOCABULARY_LIMITS.entries));
    if (vocabularies && config.RECOGNIZER === 'transcribe' && config.TRANSCRIBE_VOCABULARIES) {
      // Loaded only here: the Transcribe control-plane SDK is no cost where it is not used.
      const { TranscribeClient } = await import('@aws-sdk/client-transcribe');
      const { VocabularyDirectory } = await import('./recognition/transcribe/vocabulary-directory.ts');
      engineVocabulary = new VocabularyDirectory({
        client: new TranscribeClient(awsClientConfig()),
        entries: (tenant) => vocabularies.all(tenant, VOCABULARY_LIMITS.entries),
        languages: engine.languages ?? SUPPORTED_LANGUAGES,
        logger,
      });
    }
  } else {
    if (env.NODE_ENV === 'production') throw new Error('CONVERSATIONS_TABLE and MESSAGES_TABLE must be set in production');
    // Alone, the gateway has nowhere to store utterances: it logs that one was produced, never its text.
    sink = {
      record: async (u) => logger.info('utterance', { conversationId: u.conversationId, role: u.role, startMs: u.startMs, endMs: u.endMs }),
    };
  }

  const recorder = recorderFromConfig(config, logger);
  const recognizer: Recognizer = metrics ? metrics.recognizer(engine) : engine;
  const protection = new TaskProtection({ agentUri: env.ECS_AGENT_URI, logger });
  const server = new GatewayServer({
    config,
    apiKeys,
    calls,
    nonceCache,
    call: {
      recognizer,
      sink,
      tenant: config.TENANT,
      redaction: tenantRedaction(config.TENANT_REDACTION_RULES),
      events,
      flushBudgetMs: config.FLUSH_BUDGET_MS,
      transcriptEvents: config.TRANSCRIPT_EVENTS,
      vocabulary,
      mode: config.AUDIOHOOK_MODE,
      defaultLanguage: config.DEFAULT_LANGUAGE,
      recorder,
      ...(engineVocabulary ? { engineVocabulary: (tenant: string, language: string) => engineVocabulary.nameFor(tenant, language) } : {}),
    },
    // What the configured engine can recognize, as `opened` lists it when asked.
    supportedLanguages: recognizer.languages ?? SUPPORTED_LANGUAGES,
    onSessionsChanged: (n) => void protection.update(n),
  });
  const address = await server.listen();
  const retirement = task && env.ECS_AGENT_URI ? startRetirement(task, server, config.RETIREMENT_CHECK_MS) : undefined;
  live?.start();
  metrics?.start();
  logger.info('gateway listening', { port: address.port, path: config.AUDIOHOOK_PATH, recognizer: config.RECOGNIZER, controlUrl });
  return {
    server,
    control,
    config,
    address,
    controlUrl,
    recognizer: engine,
    publisher,
    engineVocabulary,
    drain: () => server.drain(),
    close: async () => {
      await retirement?.stop();
      await server.close();
      await live?.stop();
      await metrics?.stop();
      await control.close();
      await publisher?.close();
      protection.stop();
      await recognizer.close();
    },
  };
}

/** On ECS, the gateway retires itself when its service supersedes it or scales in (ecs/retirement.ts). */
function startRetirement(task: TaskMetadata, server: GatewayServer, intervalMs: number): TaskRetirement {
  const ecs = new ECSClient(awsClientConfig());
  const retirement = new TaskRetirement({
    check: async () => {
      const snapshot = await readServiceSnapshot(ecs, task);
      return snapshot && decideRetirement(snapshot);
    },
    onChange: (r) => server.setRetiring(r.retire),
    intervalMs,
    logger,
  });
  retirement.start();
  return retirement;
}

/** Outside production, a missing key configuration falls back to printed development credentials. */
function keysOrDevelopmentDefaults(env: NodeJS.ProcessEnv): ApiKeySet {
  const configured = env.AUDIOHOOK_API_KEY || env.AUDIOHOOK_API_KEYS;
  if (configured || env.NODE_ENV === 'production') return loadApiKeys(env);
  console.log(
    `No AudioHook key configured: using development credentials\n` +
      `  AUDIOHOOK_API_KEY=${DEV_AUDIOHOOK_API_KEY}\n  AUDIOHOOK_CLIENT_SECRET=${DEV_AUDIOHOOK_CLIENT_SECRET}`,
  );
  return createApiKeySet([[DEV_AUDIOHOOK_API_KEY, Buffer.from(DEV_AUDIOHOOK_CLIENT_SECRET, 'base64')]]);
}
