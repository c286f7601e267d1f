import type { AddressInfo } from 'node:net';
import { logger } from '../core/logger.ts';
import { DEFAULT_REDACTION } from '../core/text/pipeline.ts';
import { SUPPORTED_LANGUAGES } from '../core/domain/transcription.ts';
import { createApiKeySet, loadApiKeys, type ApiKeySet } from './audiohook/api-keys.ts';
import { DEV_AUDIOHOOK_API_KEY, DEV_AUDIOHOOK_CLIENT_SECRET } from './audiohook/dev-credentials.ts';
import type { CallEvents } from './call.ts';
import { loadGatewayConfig, type GatewayConfig } from './config.ts';
import { createRecognizer } from './recognition/create-recognizer.ts';
import type { Recognizer } from './recognition/recognizer.ts';
import { GatewayServer } from './server.ts';
import type { UtteranceSink } from './transcription/utterance-sink.ts';

/**
 * Assembles a gateway from configuration: keys, recognizer, utterance sink, server. Used by the
 * container entry point (main.ts) and by the all-in-one local runtime, which passes its own sink and
 * call events.
 */

export interface GatewayParts {
  config?: GatewayConfig;
  env?: NodeJS.ProcessEnv;
  recognizer?: Recognizer;
  sink?: UtteranceSink;
  events?: CallEvents;
}

export interface RunningGateway {
  server: GatewayServer;
  config: GatewayConfig;
  address: AddressInfo;
  recognizer: Recognizer;
  drain(): Promise<{ remaining: number }>;
  close(): Promise<void>;
}

export async function startGateway(parts: GatewayParts = {}): Promise<RunningGateway> {
  const env = parts.env ?? process.env;
  const config = parts.config ?? loadGatewayConfig(env);
  const apiKeys = keysOrDevelopmentDefaults(env);
  const recognizer = parts.recognizer ?? (await createRecognizer(config.RECOGNIZER));
  const sink: UtteranceSink = parts.sink ?? {
    // Alone, the gateway has nowhere to store utterances: it logs that one was produced, never its text.
    record: async (u) => logger.info('utterance', { conversationId: u.conversationId, role: u.role, startMs: u.startMs, endMs: u.endMs }),
  };
  const server = new GatewayServer({
    config,
    apiKeys,
    call: { recognizer, sink, tenant: config.TENANT, redaction: DEFAULT_REDACTION, events: parts.events },
    supportedLanguages: SUPPORTED_LANGUAGES,
  });
  const address = await server.listen();
  logger.info('gateway listening', { port: address.port, path: config.AUDIOHOOK_PATH, recognizer: config.RECOGNIZER });
  return {
    server,
    config,
    address,
    recognizer,
    drain: () => server.drain(),
    close: async () => {
      await server.close();
      await recognizer.close();
    },
  };
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
