import { randomBytes } from 'node:crypto';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll } from 'vitest';
import type { TableNames } from '#core/stores/tables.ts';
import { ensureTables } from '#local/ensure-tables.ts';
import { startStandIns } from '#local/aws-standins.ts';

/**
 * AWS stand-ins for one test file: dynalite (DynamoDB) and, on request, fauxqs (SQS + S3) on
 * ephemeral loopback ports, announced to the SDK through AWS_ENDPOINT_URL_<SERVICE>; then the tables,
 * created from the same definitions as the stack. When AWS_ENDPOINT_URL is already set (LocalStack
 * or another emulator), nothing is started and that endpoint is used; the tables get unique names and
 * are deleted again at the end.
 *
 * The application's AWS clients are created on first use, so start the emulators (beforeAll) before
 * any handler runs, and only once per test file.
 */
export interface EmulatorOptions {
  /** Also start fauxqs for SQS and S3. */
  sqs?: boolean;
  s3?: boolean;
  /** Prefix of the generated table names. */
  prefix?: string;
}

export interface Emulators {
  /** True when an emulator given by AWS_ENDPOINT_URL is used instead of in-process ones. */
  external: boolean;
  endpoints: { dynamodb: string; sqs?: string; s3?: string };
  tables: Required<TableNames>;
  /** A raw DynamoDB client on the emulator, for test set-up. */
  dynamodb: DynamoDBClient;
  stop(): Promise<void>;
}

const ENV_KEYS = [
  'AWS_REGION',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_ENDPOINT_URL_DYNAMODB',
  'AWS_ENDPOINT_URL_SQS',
  'AWS_ENDPOINT_URL_S3',
  'CONVERSATIONS_TABLE',
  'MESSAGES_TABLE',
  'VOCABULARY_TABLE',
] as const;

export async function startEmulators(options: EmulatorOptions = {}): Promise<Emulators> {
  const saved = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));
  const external = Boolean(process.env.AWS_ENDPOINT_URL);
  const stops: Array<() => Promise<void>> = [];
  const endpoints: Emulators['endpoints'] = { dynamodb: process.env.AWS_ENDPOINT_URL ?? '' };

  process.env.AWS_REGION ??= 'us-east-1';
  if (external) {
    process.env.AWS_ACCESS_KEY_ID ??= 'test';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
    if (options.sqs) endpoints.sqs = endpoints.dynamodb;
    if (options.s3) endpoints.s3 = endpoints.dynamodb;
  } else {
    // In-process emulators never see real credentials.
    process.env.AWS_ACCESS_KEY_ID = 'test';
    process.env.AWS_SECRET_ACCESS_KEY = 'test';
    delete process.env.AWS_SESSION_TOKEN;

    const standIns = await startStandIns({ sqsAndS3: options.sqs || options.s3 });
    endpoints.dynamodb = standIns.dynamodb;
    process.env.AWS_ENDPOINT_URL_DYNAMODB = endpoints.dynamodb;
    if (options.sqs) process.env.AWS_ENDPOINT_URL_SQS = endpoints.sqs = standIns.fauxqs;
    if (options.s3) process.env.AWS_ENDPOINT_URL_S3 = endpoints.s3 = standIns.fauxqs;
    stops.push(() => standIns.stop());
  }

  const suffix = randomBytes(4).toString('hex');
  const prefix = options.prefix ?? 'test';
  const tables: Required<TableNames> = {
    conversations: `${prefix}-${suffix}-conversations`,
    messages: `${prefix}-${suffix}-messages`,
    vocabulary: `${prefix}-${suffix}-vocabulary`,
  };
  process.env.CONVERSATIONS_TABLE = tables.conversations;
  process.env.MESSAGES_TABLE = tables.messages;
  process.env.VOCABULARY_TABLE = tables.vocabulary;

  const dynamodb = new DynamoDBClient({});
  await ensureTables(dynamodb, tables);

  return {
    external,
    endpoints,
    tables,
    dynamodb,
    async stop() {
      if (external) {
        await Promise.allSettled(Object.values(tables).map((TableName) => dynamodb.send(new DeleteTableCommand({ TableName }))));
      }
      dynamodb.destroy();
      for (const stop of stops) await stop();
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    },
  };
}

/** Starts the emulators before the file's tests and stops them after; returns a getter. */
export function useEmulators(options: EmulatorOptions = {}): () => Emulators {
  let emulators: Emulators | undefined;
  beforeAll(async () => {
    emulators = await startEmulators(options);
  });
  afterAll(async () => {
    await emulators?.stop();
  });
  return () => {
    if (!emulators) throw new Error('emulators not started yet (use inside tests or hooks)');
    return emulators;
  };
}
