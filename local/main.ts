import './quiet-logs.ts';
import { DEV_AUDIOHOOK_API_KEY, DEV_AUDIOHOOK_CLIENT_SECRET } from '#gateway/audiohook/dev-credentials.ts';
import { removeRuntimeEnv, writeRuntimeEnv } from './runtime-env.ts';
import { DEFAULT_CREDENTIALS_FILE } from './credentials-file.ts';
import { startLocalSystem } from './system.ts';

/**
 * `npm start`: the whole system on this machine. Prints where everything listens and the credentials
 * it uses, then the transcripts of every call as they are delivered.
 */
try {
  // Credentials made with `npm run credentials` (its default file).
  process.env.CREDENTIALS_FILE ??= DEFAULT_CREDENTIALS_FILE;
  const system = await startLocalSystem();
  const env = process.env;
  const runtimeEnv = writeRuntimeEnv(
    { ...env, LOCAL_AUDIOHOOK_URL: system.urls.audiohook, LOCAL_API_URL: system.urls.api },
    { standIns: system.standIns !== undefined },
  );
  // Removed however the process ends (a crash included); a killed process's file is skipped by readers.
  process.on('exit', () => removeRuntimeEnv(runtimeEnv));
  const devKey = !env.AUDIOHOOK_API_KEY && !env.AUDIOHOOK_API_KEYS;
  console.log(`
AudioHook Transcribe is running locally.

  AudioHook (Genesys connection URI)  ${system.urls.audiohook}
  console (live calls, transcripts)   ${system.urls.console ?? 'not built: run npm run build:console, then start again'}
  API (start/stop, messages, files)   ${system.urls.api}
  API description (OpenAPI 3.1)       ${system.urls.openApi}
  webhook target                      ${system.urls.webhook}${system.receiver ? '  (built-in: transcripts are printed below)' : ''}
  AWS                                 ${system.standIns ? `embedded stand-ins: DynamoDB ${system.standIns.dynamodb}, SQS+S3 ${system.standIns.fauxqs}${env.DATA_DIR ? `, data kept in ${env.DATA_DIR}` : ' (in memory; set DATA_DIR to keep data)'}` : env.AWS_ENDPOINT_URL}
  speech recognition                  ${system.gateway.config.RECOGNIZER}${system.transcribeStandIn ? ` on the local Transcribe streaming stand-in ${system.transcribeStandIn.url} (${env.TRANSCRIBE_STAND_IN})` : system.gateway.config.RECOGNIZER === 'transcribe' ? ` (Amazon Transcribe${env.AWS_ENDPOINT_URL_TRANSCRIBE_STREAMING ? ` at ${env.AWS_ENDPOINT_URL_TRANSCRIBE_STREAMING}` : `, ${env.AWS_REGION ?? 'default region'}`})` : ''}
${devKey ? `\n  development AudioHook credentials:  X-API-KEY ${DEV_AUDIOHOOK_API_KEY}, client secret ${DEV_AUDIOHOOK_CLIENT_SECRET}` : ''}${env.API_ID === 'dev-api-id' ? `\n  development API credentials:        asapp-api-id ${env.API_ID}, asapp-api-secret ${env.API_SECRET}` : ''}

Play the sample call into it from another terminal:  npm run call -- --start
Export a day's feed now (uses ${runtimeEnv}):  npm run export -- --date YYYY-MM-DD
`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    console.log('\nstopping: draining live calls…');
    await system.gateway.drain();
    await system.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
} catch (error) {
  console.error(`npm start failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
