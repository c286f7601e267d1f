import { DEV_AUDIOHOOK_API_KEY, DEV_AUDIOHOOK_CLIENT_SECRET } from '#gateway/audiohook/dev-credentials.ts';
import { startLocalSystem, type LocalSystem, type LocalSystemOptions } from '#local/system.ts';

/**
 * The whole system as `npm start` runs it, for a test file's `beforeAll`: every listener on a free port
 * (tests never bind fixed ports), `env` on top, transcripts not printed, no daily export timer.
 */
export function startTestSystem(env: Record<string, string>, options: LocalSystemOptions = {}): Promise<LocalSystem> {
  Object.assign(process.env, { API_PORT: '0', GATEWAY_PORT: '0', CONTROL_PORT: '0', WEBHOOK_RECEIVER_PORT: '0' }, env);
  return startLocalSystem({ print: () => undefined, scheduler: false, ...options });
}

/**
 * The embedded engine with two decoders, and a stop that waits for every final (not the 5 s default),
 * so the counts are exact however loaded the machine is.
 */
export const EMBEDDED_EXACT = {
  RECOGNIZER: 'embedded',
  EMBEDDED_DECODERS: '2',
  FLUSH_BUDGET_MS: '60000',
  CONTROL_STOP_TIMEOUT_MS: '70000',
} as const;

/** How the call simulator reaches a test system's AudioHook endpoint: with the dev key pair `npm start` prints. */
export function audiohookConnection(system: LocalSystem): { url: string; apiKey: string; clientSecret: string } {
  return { url: system.urls.audiohook, apiKey: DEV_AUDIOHOOK_API_KEY, clientSecret: DEV_AUDIOHOOK_CLIENT_SECRET };
}
