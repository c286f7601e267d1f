import { chmodSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * While `npm start` runs, the settings other local commands need to reach it (stand-in endpoints,
 * table, queue and bucket names) are written to a file of its own, so `npm run export` works without
 * flags. Never credentials: with the stand-ins the reader uses their fixed dummy ones, against
 * LocalStack or AWS it uses its own. Each instance has its own file (two `npm start`s in one checkout
 * do not overwrite or delete each other's), readable by its owner only, removed when the process ends;
 * a file left by a killed process is ignored and cleaned up by the next reader.
 */
const RUNTIME_ENV_DIR = '.local';
const PREFIX = 'runtime-';
const SUFFIX = '.env';
/** Set in the file when the instance runs the embedded stand-ins (which take any credentials). */
export const STAND_INS_MARKER = 'LOCAL_STAND_INS';

const KEYS = [
  'AWS_REGION',
  'AWS_ENDPOINT_URL',
  'AWS_ENDPOINT_URL_DYNAMODB',
  'AWS_ENDPOINT_URL_SQS',
  'AWS_ENDPOINT_URL_S3',
  'CONVERSATIONS_TABLE',
  'MESSAGES_TABLE',
  'VOCABULARY_TABLE',
  'EXPORT_BUCKET',
  'UTTERANCES_QUEUE_URL',
  // For `npm run dlq`: the dead-letter queue, and the webhook's target and non-secret settings for a replay
  // (secret ones come from the caller's environment).
  'WEBHOOK_DLQ_URL',
  'WEBHOOK_URL',
  'WEBHOOK_AUTH_MODE',
  'WEBHOOK_TIMEOUT_MS',
  'WEBHOOK_SECRET_TOKEN_NAME',
  'WEBHOOK_SECRET_TOKEN_LOCATION',
  'WEBHOOK_OAUTH2_TOKEN_URL',
  'WEBHOOK_OAUTH2_SCOPE',
  'WEBHOOK_OAUTH2_AUDIENCE',
  'WEBHOOK_OAUTH2_CLIENT_AUTH',
  // For `npm run doctor` with no flags: where this instance's gateway and API listen.
  'LOCAL_AUDIOHOOK_URL',
  'LOCAL_API_URL',
] as const;

export function runtimeEnvFile(pid = process.pid, dir = RUNTIME_ENV_DIR): string {
  return join(dir, `${PREFIX}${pid}${SUFFIX}`);
}

export function writeRuntimeEnv(env: NodeJS.ProcessEnv, options: { standIns: boolean; file?: string }): string {
  const file = options.file ?? runtimeEnvFile();
  mkdirSync(dirname(file), { recursive: true });
  const lines = KEYS.filter((k) => env[k]).map((k) => `${k}=${env[k]}`);
  if (options.standIns) lines.push(`${STAND_INS_MARKER}=true`);
  writeFileSync(file, `# written by npm start (pid ${process.pid}); removed when it stops\n${lines.join('\n')}\n`, { mode: 0o600 });
  chmodSync(file, 0o600); // mode applies only when the file is created
  return file;
}

export function removeRuntimeEnv(file = runtimeEnvFile()): void {
  rmSync(file, { force: true });
}

/** The file of the most recently started live `npm start`, removing those whose process is gone. */
export function findRuntimeEnv(dir = RUNTIME_ENV_DIR): string | undefined {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return undefined;
  }
  let newest: { file: string; mtime: number } | undefined;
  for (const name of names) {
    const pid = Number(name.slice(PREFIX.length, -SUFFIX.length));
    if (!name.startsWith(PREFIX) || !name.endsWith(SUFFIX) || !Number.isSafeInteger(pid) || pid <= 0) continue;
    const file = join(dir, name);
    if (!isAlive(pid)) {
      rmSync(file, { force: true });
      continue;
    }
    const mtime = statSync(file).mtimeMs;
    if (!newest || mtime > newest.mtime) newest = { file, mtime };
  }
  return newest?.file;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
