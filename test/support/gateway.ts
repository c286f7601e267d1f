import type { Utterance } from '#core/domain/utterance.ts';
import { createApiKeySet } from '#gateway/audiohook/api-keys.ts';
import type { ReplayCache } from '#gateway/audiohook/nonce-cache.ts';
import { loadGatewayConfig, type GatewayConfig } from '#gateway/config.ts';
import { CountingRecognizer } from '#gateway/recognition/counting-recognizer.ts';
import type { Recognizer } from '#gateway/recognition/recognizer.ts';
import { GatewayServer } from '#gateway/server.ts';
import type { CallDependencies, CallEvents } from '#gateway/call.ts';
import type { AppLogger } from '#core/logger.ts';
import { tenantRedaction } from '#core/text/pipeline.ts';
import type { TranscriptionSettings } from '#core/domain/transcription.ts';

export const TEST_API_KEY = 'test-api-key';
export const TEST_CLIENT_SECRET = Buffer.from('test-client-secret-of-32-bytes!!').toString('base64');
export const UNSIGNED_API_KEY = 'unsigned-key';
/** Start-streaming settings for tests that only need transcription running. */
export const TEST_SETTINGS: TranscriptionSettings = {
  language: 'en-US',
  detailedToken: false,
  redactionOutput: 'redacted',
  audioRecordingAllowed: false,
  customerId: 'C1',
  agentId: 'A1',
};

export interface TestGateway {
  server: GatewayServer;
  url: string;
  httpUrl: string;
  recognizer: Recognizer;
  utterances: Utterance[];
  clientOptions: { url: string; apiKey: string; clientSecret: string };
  close(): Promise<void>;
}

/** A real gateway on an ephemeral loopback port, with the counting recognizer unless one is given. */
export async function startTestGateway(
  options: {
    env?: Record<string, string>;
    recognizer?: Recognizer;
    events?: CallEvents;
    logger?: AppLogger;
    vocabulary?: CallDependencies['vocabulary'];
    nonceCache?: ReplayCache;
  } = {},
): Promise<TestGateway> {
  const config: GatewayConfig = loadGatewayConfig({ AUTH_FAILURE_FLOOR_MS: '50', ...options.env });
  const recognizer: Recognizer = options.recognizer ?? new CountingRecognizer(true);
  const utterances: Utterance[] = [];
  const server = new GatewayServer({
    config,
    apiKeys: createApiKeySet([
      [TEST_API_KEY, Buffer.from(TEST_CLIENT_SECRET, 'base64')],
      [UNSIGNED_API_KEY, null],
    ]),
    call: {
      recognizer,
      sink: { record: async (u) => void utterances.push(u) },
      tenant: 'test',
      redaction: tenantRedaction(config.TENANT_REDACTION_RULES),
      events: options.events,
      vocabulary: options.vocabulary,
      flushBudgetMs: config.FLUSH_BUDGET_MS,
      transcriptEvents: config.TRANSCRIPT_EVENTS,
      mode: config.AUDIOHOOK_MODE,
      defaultLanguage: config.DEFAULT_LANGUAGE,
    },
    supportedLanguages: recognizer.languages ?? ['en-US', 'es-US'],
    logger: options.logger,
    nonceCache: options.nonceCache,
  });
  const address = await server.listen(0, '127.0.0.1');
  const url = `ws://127.0.0.1:${address.port}${config.AUDIOHOOK_PATH}`;
  return {
    server,
    url,
    httpUrl: `http://127.0.0.1:${address.port}`,
    recognizer,
    utterances,
    clientOptions: { url, apiKey: TEST_API_KEY, clientSecret: TEST_CLIENT_SECRET },
    close: () => server.close(),
  };
}
