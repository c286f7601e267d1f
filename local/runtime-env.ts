import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * While `npm start` runs, the settings other local commands need to reach it (stand-in endpoints,
 * table, queue and bucket names) are written here, so `npm run export` works without flags.
 * Only non-secret values: the stand-ins accept any credentials.
 */
export const RUNTIME_ENV_FILE = '.local/runtime.env';

const KEYS = [
  'AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_DYNAMODB', 'AWS_ENDPOINT_URL_SQS',
  'AWS_ENDPOINT_URL_S3', 'CONVERSATIONS_TABLE', 'MESSAGES_TABLE', 'EXPORT_BUCKET', 'UTTERANCES_QUEUE_URL',
] as const;

export function writeRuntimeEnv(env: NodeJS.ProcessEnv, file = RUNTIME_ENV_FILE): void {
  mkdirSync(dirname(file), { recursive: true });
  const lines = KEYS.filter((k) => env[k]).map((k) => `${k}=${env[k]}`);
  writeFileSync(file, `# written by npm start; removed when it stops\n${lines.join('\n')}\n`);
}

export function removeRuntimeEnv(file = RUNTIME_ENV_FILE): void {
  rmSync(file, { force: true });
}
