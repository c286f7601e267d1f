import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveryFromEnv } from './support/delivery.ts';
import { sqsRecord, startServer } from './support/servers.ts';
import type { TestServer } from './support/servers.ts';

/**
 * A target that misbehaves per stream id: each fault is recorded, the batch completes within about one
 * timeout, and the well-behaved conversations in the same batch are delivered.
 */

const TIMEOUT_MS = 400;
let target: TestServer;

beforeAll(async () => {
  target = await startServer(undefined, (req, res) => {
    const streamId = (JSON.parse(req.body) as { streamId: string }).streamId;
    switch (streamId) {
      case 'fault-500':
        res.writeHead(500, { 'content-type': 'text/plain' }).end('boom');
        return;
      case 'fault-404':
        res.writeHead(404).end();
        return;
      case 'fault-hang':
        return; // never answers
      case 'fault-stall-body':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"partial":');
        return; // headers sent, body never finished
      case 'fault-reset':
        res.socket?.resetAndDestroy();
        return;
      default:
        res.writeHead(202, { 'content-type': 'application/json' }).end(JSON.stringify({ received: true, pad: 'x'.repeat(20_000) }));
    }
  });
});

afterAll(async () => {
  await target?.close();
});

describe('target faults', () => {
  it('records each fault, completes the batch and delivers the others', async () => {
    const { delivery, recorder } = deliveryFromEnv({ WEBHOOK_URL: target.url, WEBHOOK_TIMEOUT_MS: String(TIMEOUT_MS) });
    const faults = ['fault-500', 'fault-404', 'fault-hang', 'fault-stall-body', 'fault-reset'];
    const records = [
      sqsRecord({ conversationId: 'good-1', streamId: 'ok', start: 1 }),
      ...faults.map((f) => sqsRecord({ conversationId: f, streamId: f })),
      sqsRecord({ conversationId: 'good-1', streamId: 'ok', start: 2 }),
      sqsRecord({ conversationId: 'good-2', streamId: 'ok' }),
    ];
    const started = performance.now();
    try {
      const out = await delivery.handle(records);
      const elapsed = performance.now() - started;
      expect(out).toMatchObject({ delivered: 3, failed: 5, dropped: 0, malformed: 0 });
      expect(out.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(records.slice(1, 6).map((r) => r.messageId));
      const reasonOf = (conv: string) => recorder.events.find((e) => e.conversationId === conv)?.reason;
      expect(faults.map(reasonOf)).toEqual(['status 500', 'status 404', 'timeout', 'timeout', 'ECONNRESET']);
      expect(recorder.events.find((e) => e.conversationId === 'fault-500')?.status).toBe(500);
      // Conversations run concurrently, so the two hangs cost one timeout, not two.
      expect(elapsed).toBeLessThan(TIMEOUT_MS * 2);
      // And the next batch on the same container is unaffected.
      const again = await delivery.handle([sqsRecord({ conversationId: 'good-3', streamId: 'ok' })]);
      expect(again).toMatchObject({ delivered: 1, batchItemFailures: [] });
    } finally {
      delivery.close();
    }
  });

  it('a hanging message holds back only its own conversation, up to one timeout', async () => {
    const { delivery, recorder } = deliveryFromEnv({ WEBHOOK_URL: target.url, WEBHOOK_TIMEOUT_MS: String(TIMEOUT_MS) });
    const records = [
      sqsRecord({ conversationId: 'slow', streamId: 'fault-hang', start: 1 }),
      sqsRecord({ conversationId: 'slow', streamId: 'ok', start: 2 }),
    ];
    try {
      const out = await delivery.handle(records);
      expect(out.batchItemFailures).toEqual([{ itemIdentifier: records[0].messageId }]);
      expect(recorder.events.map((e) => `${e.kind}:${e.reason}`)).toEqual(['failed:timeout', 'delivered:ok']);
    } finally {
      delivery.close();
    }
  });

  it('records a refused connection', async () => {
    const gone = await startServer();
    const url = gone.url;
    await gone.close();
    const { delivery, recorder } = deliveryFromEnv({ WEBHOOK_URL: url, WEBHOOK_TIMEOUT_MS: String(TIMEOUT_MS) });
    try {
      const out = await delivery.handle([sqsRecord()]);
      expect(out.batchItemFailures).toHaveLength(1);
      expect(recorder.events[0]).toMatchObject({ kind: 'failed', reason: 'ECONNREFUSED' });
    } finally {
      delivery.close();
    }
  });

  it('re-sends once on a fresh socket when a reused keep-alive socket is reset before any response', async () => {
    // What a Lambda thaw looks like: the target dropped the idle connection while we were frozen, and
    // our first write on it is answered with a reset.
    const served = new Map<number, number>();
    let resets = 0;
    const server = await startServer(undefined, (req, res) => {
      const n = served.get(req.remotePort) ?? 0;
      served.set(req.remotePort, n + 1);
      if (n > 0 && resets === 0) {
        resets++;
        res.socket?.resetAndDestroy();
        return;
      }
      res.writeHead(200).end();
    });
    const { delivery, recorder } = deliveryFromEnv({ WEBHOOK_URL: server.url, WEBHOOK_TIMEOUT_MS: String(TIMEOUT_MS) });
    try {
      await delivery.handle([sqsRecord()]);
      const out = await delivery.handle([sqsRecord()]);
      expect(out.batchItemFailures).toEqual([]);
      expect(resets).toBe(1);
      expect(server.requests).toHaveLength(3);
      expect(new Set(server.requests.map((r) => r.remotePort)).size).toBe(2);
      expect(recorder.events.map((e) => e.kind)).toEqual(['delivered', 'delivered']);
    } finally {
      delivery.close();
      await server.close();
    }
  });
});
