import { ConfigError } from '#core/config/stores.ts';
import { TranscribeStandIn } from './server.ts';
import type { StandInMode } from './server.ts';

export { TranscribeStandIn };

/**
 * `TRANSCRIBE_STAND_IN=engine|echo` with `RECOGNIZER=transcribe`: starts the local Transcribe streaming
 * service and points the SDK of this process at it (AWS_ENDPOINT_URL_TRANSCRIBE_STREAMING). Never
 * started otherwise, so `RECOGNIZER=transcribe` alone always means Amazon Transcribe.
 */
export async function startTranscribeStandInFromEnv(env: NodeJS.ProcessEnv, host: string): Promise<TranscribeStandIn | undefined> {
  const mode = env.TRANSCRIBE_STAND_IN;
  if (!mode) return undefined;
  if (mode !== 'engine' && mode !== 'echo') throw new ConfigError(`TRANSCRIBE_STAND_IN must be engine or echo, not "${mode.slice(0, 32)}"`);
  if (env.RECOGNIZER !== 'transcribe') throw new ConfigError('TRANSCRIBE_STAND_IN needs RECOGNIZER=transcribe');
  if (env.AWS_ENDPOINT_URL_TRANSCRIBE_STREAMING) {
    throw new ConfigError('TRANSCRIBE_STAND_IN and AWS_ENDPOINT_URL_TRANSCRIBE_STREAMING are both set: choose one Transcribe endpoint');
  }
  const standIn = await TranscribeStandIn.start({ mode: mode satisfies StandInMode, host });
  env.AWS_ENDPOINT_URL_TRANSCRIBE_STREAMING = standIn.url;
  // The stand-in checks the shape of SigV4, never the secret: dummy credentials are enough.
  env.AWS_REGION ??= 'us-east-1';
  env.AWS_ACCESS_KEY_ID ??= 'local';
  env.AWS_SECRET_ACCESS_KEY ??= 'local';
  return standIn;
}
