import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeadLetterQueue } from '#core/dead-letters/dead-letter-queue.ts';
import { logger } from '#core/logger.ts';
import { syntheticCall } from '#core/load/synthetic-call.ts';
import { UtterancePublisher } from '#core/queue/utterance-publisher.ts';
import { startLocalSystem, type LocalSystem } from '#local/system.ts';
import { runCli } from '#test/support/cli.ts';
import { startSecretsManagerEmulator, type SecretsManagerEmulator } from '#test/support/secrets-manager-emulator.ts';
import { createTestPki, type TestPki } from '../webhook/support/certs.ts';
import { startServer, type ReceivedRequest, type TestServer } from '../webhook/support/servers.ts';

/**
 * `npm run dlq` as an operator runs it against a deployed stack: no `npm start` to find, only the AWS
 * variables (here pointing at the SQS and Secrets Manager emulators) and the webhook function's own
 * environment saved as JSON (`aws lambda get-function-configuration --query Environment.Variables`),
 * whose webhook material lives in Secrets Manager (`WEBHOOK_SECRET_ARN`), as the stack sets it up.
 * The webhook function reads the same secret to deliver and dead-letter in the first place.
 */

const TOKEN = 'not-a-real-secret-dlq-aws-0123456789';
const ACCESS = { accessKeyId: 'local', secretAccessKey: 'local' };
let pki: TestPki;
let target: TestServer;
let sm: SecretsManagerEmulator;
let system: LocalSystem;
let dir: string;
let functionEnvFile: string;
let operatorEnv: NodeJS.ProcessEnv;

beforeAll(async () => {
  pki = createTestPki();
  dir = mkdtempSync(join(tmpdir(), 'dlq-aws-'));
  target = await startServer({ cert: pki.server.cert, key: pki.server.key }, (_req, res) => res.writeHead(503).end());
  // The local stand-ins take the credentials `local`/`local`; the Secrets Manager emulator checks signatures with them.
  sm = await startSecretsManagerEmulator(ACCESS);
  const secrets = new SecretsManagerClient({ region: 'us-east-1', endpoint: sm.url, credentials: ACCESS });
  const secretArn = (
    await secrets.send(
      new CreateSecretCommand({
        Name: 'stack/webhook',
        SecretString: JSON.stringify({ WEBHOOK_SECRET_TOKEN_VALUE: TOKEN, WEBHOOK_CA_PEM: pki.serverCa.cert }),
      }),
    )
  ).ARN!;
  secrets.destroy();

  // What the stack gives the webhook function: settings in its environment, secrets by ARN.
  const functionEnv = {
    WEBHOOK_URL: target.url,
    WEBHOOK_AUTH_MODE: 'custom-ca+secret-token',
    WEBHOOK_SECRET_TOKEN_NAME: 'X-Transcript-Token',
    WEBHOOK_SECRET_ARN: secretArn,
    WEBHOOK_TIMEOUT_MS: '2000',
  };
  for (const k of ['WEBHOOK_SECRET_TOKEN_VALUE', 'WEBHOOK_CA_PEM', 'WEBHOOK_DLQ_URL', 'AWS_ENDPOINT_URL']) delete process.env[k];
  Object.assign(process.env, {
    API_PORT: '0',
    GATEWAY_PORT: '0',
    CONTROL_PORT: '0',
    RECOGNIZER: 'none',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: ACCESS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: ACCESS.secretAccessKey,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: sm.url,
    ...functionEnv,
  });
  system = await startLocalSystem({ scheduler: false });

  functionEnvFile = join(dir, 'webhook-env.json');
  writeFileSync(
    functionEnvFile,
    JSON.stringify({ ...functionEnv, WEBHOOK_DLQ_URL: system.deadLetterQueueUrl, POWERTOOLS_SERVICE_NAME: 'webhook-delivery' }, null, 2),
  );
  // The operator's shell: AWS access only (the endpoints stand for AWS's), nothing of the webhook.
  operatorEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    AWS_REGION: process.env.AWS_REGION,
    AWS_ACCESS_KEY_ID: ACCESS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: ACCESS.secretAccessKey,
    AWS_ENDPOINT_URL_SQS: process.env.AWS_ENDPOINT_URL_SQS,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: sm.url,
  };
}, 60_000);

afterAll(async () => {
  await system?.stop();
  await target?.close();
  await sm?.close();
  pki?.cleanup();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const dlqCli = (args: string[]) => runCli('dlq-cli.ts', [...args, '--env-file', functionEnvFile], operatorEnv);
const startOf = (r: ReceivedRequest) => (JSON.parse(r.body) as { autotranscribeResponse: { start: number } }).autotranscribeResponse.start;

describe('npm run dlq against a deployed stack (SQS, the webhook secret in Secrets Manager)', () => {
  const call = syntheticCall({ conversationId: 'CONV-AWS-0001', durationMs: 40_000, seed: 7 }).slice(0, 3);

  it('lists the dead letters and replays them with the token from the webhook secret, in order', async () => {
    const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });
    const publisher = new UtterancePublisher({ client: sqs, queueUrl: system.queueUrl, logger });
    for (const t of call) publisher.publish(t.utterance);
    await publisher.close();
    sqs.destroy();
    const dlq = new DeadLetterQueue(system.deadLetterQueueUrl);
    try {
      await expect.poll(async () => (await dlq.depth()).visible, { timeout: 20_000, interval: 250 }).toBe(3);
    } finally {
      dlq.close();
    }
    // The function delivered with the token it read from Secrets Manager.
    expect(target.requests.map((r) => r.headers['x-transcript-token'])).toEqual([TOKEN, TOKEN, TOKEN]);

    const list = await dlqCli(['list', '--json']);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stderr).not.toContain('using the running npm start');
    const rows = list.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows).toHaveLength(3);
    for (const row of rows) expect(row).toMatchObject({ conversationId: 'conv-aws-0001', reason: 'status 503', replayable: true });

    const before = sm.operations.length;
    target.respond = (_req, res) => res.writeHead(200).end();
    const sent = target.requests.length;
    const replay = await dlqCli(['replay', '--json']);
    expect(replay.code, replay.stderr).toBe(0);
    expect(JSON.parse(replay.stdout)).toMatchObject({ total: 3, replayed: 3, failed: 0, heldBack: 0 });
    expect(sm.operations.slice(before)).toEqual(['GetSecretValue']);
    const replayed = target.requests.slice(sent);
    expect(replayed.map((r) => r.headers['x-transcript-token'])).toEqual([TOKEN, TOKEN, TOKEN]);
    expect(replayed.map(startOf)).toEqual(call.map((t) => t.utterance.startMs));
    expect(replay.stdout + replay.stderr).not.toContain(TOKEN);

    const empty = await dlqCli(['list']);
    expect(empty.stdout.trim()).toBe('the dead-letter queue is empty');
  }, 90_000);

  it('a webhook secret it cannot read stops replay before anything is read (exit 3); a broken env file is a usage error', async () => {
    const badSecret = join(dir, 'bad-secret.json');
    writeFileSync(
      badSecret,
      JSON.stringify({
        WEBHOOK_URL: target.url,
        WEBHOOK_AUTH_MODE: 'secret-token',
        WEBHOOK_SECRET_TOKEN_NAME: 'X-T',
        WEBHOOK_SECRET_ARN: 'no-such-secret',
        WEBHOOK_DLQ_URL: system.deadLetterQueueUrl,
      }),
    );
    const missing = await runCli('dlq-cli.ts', ['replay', '--env-file', badSecret], operatorEnv);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('ResourceNotFoundException');

    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{"WEBHOOK_URL": 42}');
    const bad = await runCli('dlq-cli.ts', ['list', '--env-file', broken], operatorEnv);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('WEBHOOK_URL must be a string');
  }, 60_000);
});
