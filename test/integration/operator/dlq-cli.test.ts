import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeadLetterQueue } from '#core/dead-letters/dead-letter-queue.ts';
import { logger } from '#core/logger.ts';
import { syntheticCall } from '#core/load/synthetic-call.ts';
import { UtterancePublisher } from '#core/queue/utterance-publisher.ts';
import { startLocalSystem, type LocalSystem } from '#local/system.ts';
import { runCli } from '#test/support/cli.ts';
import { createTestPki, type TestPki } from '../webhook/support/certs.ts';
import { startServer, type ReceivedRequest, type TestServer } from '../webhook/support/servers.ts';

/**
 * `npm run dlq` against `npm start`: a customer target that is down makes the webhook function
 * dead-letter real queued utterances (with the reason); the command lists and shows them, and replays
 * them with the webhook's own TLS and token settings, in order per conversation, once the target is back.
 */

let pki: TestPki;
let target: TestServer;
let system: LocalSystem;
let dlq: DeadLetterQueue;
const TOKEN = 'not-a-real-secret-dlq-0123456789';

interface Body {
  externalConversationId: string;
  autotranscribeResponse: { start: number };
}
const parse = (r: ReceivedRequest) => JSON.parse(r.body) as Body;

beforeAll(async () => {
  pki = createTestPki();
  target = await startServer({ cert: pki.server.cert, key: pki.server.key }, (_req, res) => res.writeHead(503).end());
  Object.assign(process.env, {
    API_PORT: '0',
    GATEWAY_PORT: '0',
    CONTROL_PORT: '0',
    RECOGNIZER: 'none',
    WEBHOOK_URL: target.url,
    WEBHOOK_AUTH_MODE: 'custom-ca+secret-token',
    WEBHOOK_CA_PEM: pki.serverCa.cert,
    WEBHOOK_SECRET_TOKEN_NAME: 'X-Transcript-Token',
    WEBHOOK_SECRET_TOKEN_VALUE: TOKEN,
    WEBHOOK_TIMEOUT_MS: '2000',
  });
  system = await startLocalSystem({ scheduler: false });
  dlq = new DeadLetterQueue(system.deadLetterQueueUrl);
}, 60_000);

afterAll(async () => {
  dlq?.close();
  await system?.stop();
  await target?.close();
  pki?.cleanup();
});

const dlqCli = (args: string[], env: NodeJS.ProcessEnv = process.env) => runCli('dlq-cli.ts', args, env);

describe('npm run dlq', () => {
  const calls = ['CONV-A-0001', 'CONV-B-0002'].map((id, i) =>
    syntheticCall({ conversationId: id, durationMs: 40_000, seed: i + 1 }).slice(0, 4),
  );

  it('shows why each queued utterance was dead-lettered and to which conversation it belongs', async () => {
    const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });
    const publisher = new UtterancePublisher({ client: sqs, queueUrl: system.queueUrl, logger });
    // Interleaved, as a gateway would publish two live calls.
    for (let i = 0; i < 4; i++) for (const call of calls) publisher.publish(call[i]!.utterance);
    await publisher.close();
    sqs.destroy();
    await expect.poll(async () => (await dlq.depth()).visible, { timeout: 20_000, interval: 250 }).toBe(8);
    expect(target.requests).toHaveLength(8);

    const json = await dlqCli(['list', '--json']);
    expect(json.code, json.stderr).toBe(0);
    const rows = json.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows).toHaveLength(8);
    for (const row of rows) {
      expect(row).toMatchObject({ replayable: true, reason: 'status 503', status: 503, attempts: 1 });
      expect(['conv-a-0001', 'conv-b-0002']).toContain(row.conversationId);
      expect(row).not.toHaveProperty('body');
      expect(row).not.toHaveProperty('receiptHandle');
    }
    const ids = calls.flat().map((t) => t.utterance.messageId);
    expect(rows.map((r) => r.messageId).sort()).toEqual([...ids].sort());

    const human = await dlqCli(['list', '--conversation', 'CONV-A-0001']);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/^SQS MESSAGE ID/);
    expect(human.stdout.match(/status 503/g)).toHaveLength(4);
    expect(human.stdout.trim().split('\n').at(-1)).toBe('4 dead letters in 1 conversations');

    // Reading hid nothing for long: every command releases what it read.
    expect((await dlq.depth()).visible).toBe(8);

    const first = calls[0]![0]!.utterance;
    const show = await dlqCli(['show', first.messageId, '--body', '--json']);
    expect(show.code, show.stderr).toBe(0);
    const shown = JSON.parse(show.stdout) as Record<string, unknown> & { body: Body };
    expect(shown).toMatchObject({ conversationId: 'conv-a-0001', role: first.role, startMs: first.startMs, reason: 'status 503' });
    expect(shown.body.autotranscribeResponse.start).toBe(first.startMs);
    const text = await dlqCli(['show', first.messageId]);
    expect(text.stdout).toMatch(/^reason: +status 503$/m);
    expect(text.stdout).not.toContain(first.maskedText);

    const missing = await dlqCli(['show', 'no-such-id']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no such message');
  }, 90_000);

  it('dry run counts without sending; replay sends in order per conversation and stops a conversation at its first failure', async () => {
    const sentBefore = target.requests.length;
    const dry = await dlqCli(['replay', '--dry-run', '--json']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({ dryRun: true, total: 8, conversations: 2, replayed: 8, failed: 0 });
    expect(target.requests.length).toBe(sentBefore);

    // Conversation A is accepted; B fails on its second message.
    const secondOfB = calls[1]![1]!.utterance.startMs;
    target.respond = (req, res) => {
      const body = parse(req);
      res.writeHead(body.externalConversationId === 'CONV-B-0002' && body.autotranscribeResponse.start === secondOfB ? 500 : 200).end();
    };
    const replay = await dlqCli(['replay', '--json']);
    expect(replay.code, replay.stderr).toBe(1);
    expect(JSON.parse(replay.stdout)).toMatchObject({ total: 8, replayed: 5, failed: 1, heldBack: 2, duplicates: 0, unreplayable: 0 });
    const replayed = target.requests.slice(sentBefore);
    for (const r of replayed) expect(r.headers['x-transcript-token']).toBe(TOKEN);
    const startsOf = (conv: string) =>
      replayed
        .map(parse)
        .filter((b) => b.externalConversationId === conv)
        .map((b) => b.autotranscribeResponse.start);
    expect(startsOf('CONV-A-0001')).toEqual(calls[0]!.map((t) => t.utterance.startMs));
    expect(startsOf('CONV-B-0002')).toEqual(calls[1]!.slice(0, 2).map((t) => t.utterance.startMs));
    await expect.poll(async () => (await dlq.depth()).visible, { timeout: 5_000 }).toBe(3);

    // Target fixed: the rest of B goes, in order, and the DLQ is empty.
    target.respond = (_req, res) => res.writeHead(204).end();
    const rest = await dlqCli(['replay']);
    expect(rest.code, rest.stderr).toBe(0);
    expect(rest.stdout).toMatch(/^replayed 3 of 3 dead letters in 1 conversations; failed 0, held back 0/);
    expect(startsOf('CONV-B-0002')).toEqual(calls[1]!.slice(0, 2).map((t) => t.utterance.startMs));
    const last = target.requests
      .slice(-3)
      .map(parse)
      .map((b) => b.autotranscribeResponse.start);
    expect(last).toEqual(calls[1]!.slice(1).map((t) => t.utterance.startMs));
    expect(await dlq.depth()).toEqual({ visible: 0, hidden: 0 });
    const empty = await dlqCli(['list']);
    expect(empty.stdout.trim()).toBe('the dead-letter queue is empty');
  }, 90_000);

  it('answers bad usage with exit code 2 and a reason, and --help with the commands', async () => {
    const help = await dlqCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/list.*\n\s+show ID.*\n\s+replay/);
    expect((await dlqCli(['frobnicate'])).code).toBe(2);
    expect((await dlqCli(['list', '--limit', '0'])).stderr).toContain('--limit must be a whole number from 1 to 100000');
    const emptyEnv = join(tmpdir(), `dlq-empty-${process.pid}.env`);
    writeFileSync(emptyEnv, '# nothing\n');
    const { WEBHOOK_DLQ_URL: _url, ...withoutQueue } = process.env;
    const noQueue = await dlqCli(['list', '--env-file', emptyEnv], withoutQueue);
    expect(noQueue.code).toBe(2);
    expect(noQueue.stderr).toContain('--queue-url');
    // A webhook configuration error stops a replay before anything is read.
    const badConfig = await dlqCli(['replay'], { ...process.env, WEBHOOK_AUTH_MODE: 'mtls' });
    expect(badConfig.code).toBe(2);
    expect(badConfig.stderr).toContain('WEBHOOK_CLIENT_CERT_PEM');
    expect(badConfig.stderr).not.toContain(TOKEN);
  }, 60_000);
});
