import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { listen } from '#core/http/server.ts';

/**
 * Embedded AWS stand-ins on loopback, reached through the real AWS SDK: dynalite for DynamoDB
 * (LevelDB on disk under `dataDir`, so calls and messages survive a restart) and fauxqs for SQS and
 * S3 (in memory). Used by `npm start` and by the tests; with AWS_ENDPOINT_URL pointing at LocalStack
 * neither is needed.
 */

export interface StandInOptions {
  /** Persist DynamoDB here; in memory when absent. */
  dataDir?: string;
  /** Also start fauxqs for SQS + S3. */
  sqsAndS3?: boolean;
  host?: string;
  dynamodbPort?: number;
  fauxqsPort?: number;
}

export interface StandIns {
  dynamodb: string;
  /** SQS and S3 endpoint (one fauxqs server serves both). */
  fauxqs?: string;
  /** Sets AWS_ENDPOINT_URL_<SERVICE>, region and dummy credentials for the SDK in this process. */
  applyToEnv(env?: NodeJS.ProcessEnv): void;
  stop(): Promise<void>;
}

type Dynalite = (options: { path?: string; createTableMs?: number; deleteTableMs?: number; updateTableMs?: number }) => Server;
const dynalite = createRequire(import.meta.url)('dynalite') as Dynalite;

export async function startStandIns(options: StandInOptions = {}): Promise<StandIns> {
  const host = options.host ?? '127.0.0.1';
  const stops: Array<() => Promise<void>> = [];
  let path: string | undefined;
  if (options.dataDir) {
    path = join(options.dataDir, 'dynamodb');
    mkdirSync(path, { recursive: true });
  }
  const db = dynalite({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const dynamodb = `http://${host}:${(await listen(db, options.dynamodbPort ?? 0, host)).port}`;
  stops.push(() => new Promise<void>((resolve) => db.close(() => resolve())));

  let fauxqs: string | undefined;
  if (options.sqsAndS3) {
    const { buildApp } = await import('fauxqs');
    const app = buildApp({ logger: false });
    fauxqs = await app.listen({ port: options.fauxqsPort ?? 0, host });
    stops.unshift(() => app.close());
  }

  return {
    dynamodb,
    fauxqs,
    applyToEnv(env = process.env) {
      env.AWS_REGION ??= 'us-east-1';
      // Stand-ins accept any credentials; never send real ones to them.
      env.AWS_ACCESS_KEY_ID = 'local';
      env.AWS_SECRET_ACCESS_KEY = 'local';
      delete env.AWS_SESSION_TOKEN;
      env.AWS_ENDPOINT_URL_DYNAMODB = dynamodb;
      if (fauxqs) env.AWS_ENDPOINT_URL_SQS = env.AWS_ENDPOINT_URL_S3 = fauxqs;
    },
    async stop() {
      for (const stop of stops) await stop();
    },
  };
}
