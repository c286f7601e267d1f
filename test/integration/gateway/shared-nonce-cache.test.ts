import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { createDocumentClient, dynamoDbDocumentClient } from '#core/aws/clients.ts';
import type { AppLogger } from '#core/logger.ts';
import { logger } from '#core/logger.ts';
import { SharedNonceCache } from '#gateway/audiohook/shared-nonce-cache.ts';
import { signRequest } from '#gateway/audiohook/signature.ts';
import { AudioHookClient } from '#local/simulator/client.ts';
import { useEmulators } from '#test/support/emulators.ts';
import { startTestGateway, TEST_API_KEY, TEST_CLIENT_SECRET, type TestGateway } from '#test/support/gateway.ts';

/**
 * Finding: the nonce cache was per process, so a signed upgrade replayed to a second gateway task was
 * accepted. With the shared cache (a conditional put on the conversations table) every task refuses it.
 */

const emulators = useEmulators({ prefix: 'nonces' });
const gateways: TestGateway[] = [];
afterEach(async () => {
  await Promise.all(gateways.splice(0).map((g) => g.close()));
});

const cache = () => new SharedNonceCache({ client: dynamoDbDocumentClient(), tableName: emulators().tables.conversations, logger });

interface Upgrade {
  ids: { organizationId: string; sessionId: string; correlationId: string };
  headers: Record<string, string>;
}

/** One signed upgrade, as Genesys sends it to the public name every task answers for. */
function signedUpgrade(): Upgrade {
  const ids = { organizationId: randomUUID(), sessionId: randomUUID(), correlationId: randomUUID() };
  const signed = signRequest({
    apiKey: TEST_API_KEY,
    secret: Buffer.from(TEST_CLIENT_SECRET, 'base64'),
    requestTarget: '/audiohook/ws',
    authority: 'audiohook.example.com',
    ...ids,
    nonce: randomBytes(18).toString('base64'),
  });
  const headers = {
    Host: 'audiohook.example.com',
    'Audiohook-Organization-Id': ids.organizationId,
    'Audiohook-Session-Id': ids.sessionId,
    'Audiohook-Correlation-Id': ids.correlationId,
    'Signature-Input': signed['signature-input'],
    Signature: signed.signature,
  };
  return { ids, headers };
}

async function connect(gw: TestGateway, { ids, headers }: Upgrade): Promise<string> {
  const client = new AudioHookClient({ url: gw.url, apiKey: TEST_API_KEY, ...ids, headers });
  const answer = await client.start();
  if (answer.type === 'opened') await client.close();
  return answer.type === 'opened' ? 'opened' : `${answer.type}: ${(answer.parameters as { reason?: string }).reason}`;
}

describe('replay cache shared by gateway tasks', () => {
  it('refuses a signed upgrade replayed to another task', async () => {
    const a = await startTestGateway({ nonceCache: cache() });
    const b = await startTestGateway({ nonceCache: cache() });
    gateways.push(a, b);
    const upgrade = signedUpgrade();
    expect(await connect(a, upgrade)).toBe('opened');
    expect(await connect(b, upgrade)).toBe('disconnect: unauthorized');
    expect(await connect(a, upgrade)).toBe('disconnect: unauthorized');
    // A fresh signature is welcome on either task.
    expect(await connect(b, signedUpgrade())).toBe('opened');
  });

  it('without it (REPLAY_CACHE=task) each task only knows its own nonces: the exposure it closes', async () => {
    const a = await startTestGateway();
    const b = await startTestGateway();
    gateways.push(a, b);
    const upgrade = signedUpgrade();
    expect(await connect(a, upgrade)).toBe('opened');
    expect(await connect(b, upgrade)).toBe('opened');
  });

  it('lets a nonce go once its time has passed, and keeps the key and nonce out of the table', async () => {
    const shared = cache();
    expect(await shared.checkAndRemember('key nonce-1', 1_000, 990)).toBe(true);
    expect(await cache().checkAndRemember('key nonce-1', 1_000, 995)).toBe(false);
    // TTL deletion is lazy: an entry past its time counts as free.
    expect(await cache().checkAndRemember('key nonce-1', 1_020, 1_001)).toBe(true);
    expect(await cache().checkAndRemember('key nonce-2', 1_020, 1_001)).toBe(true);
    const { Items = [] } = await new DynamoDBClient({}).send(new ScanCommand({ TableName: emulators().tables.conversations }));
    const keys = Items.map((i) => i.conversationId?.S);
    for (const nonce of ['key nonce-1', 'key nonce-2']) expect(keys).toContain(`nonce#${createHash('sha256').update(nonce).digest('hex')}`);
    expect(JSON.stringify(Items)).not.toContain('nonce-1');
  });

  it('does not refuse calls when the table cannot be reached: this task still refuses its own replays', async () => {
    const errors: unknown[][] = [];
    const log = { ...logger, error: (...args: unknown[]) => void errors.push(args) } as unknown as AppLogger;
    const down = new SharedNonceCache({
      client: createDocumentClient(new DynamoDBClient({ endpoint: 'http://127.0.0.1:9', maxAttempts: 1 })),
      tableName: emulators().tables.conversations,
      logger: log,
    });
    expect(await down.checkAndRemember('key nonce-3', 2_000, 1_990)).toBe(true);
    expect(await down.checkAndRemember('key nonce-3', 2_000, 1_991)).toBe(false);
    expect(errors[0]?.[0]).toMatch(/unreachable/);
  });
});
