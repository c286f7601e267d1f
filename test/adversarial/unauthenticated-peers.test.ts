import { afterEach, describe, expect, it } from 'vitest';
import { MAX_ID_HEADER_CHARS } from '#gateway/server.ts';
import { AudioHookClient, UpgradeRefusedError } from '#local/simulator/client.ts';
import { startTestGateway, TEST_API_KEY, TEST_CLIENT_SECRET, TEST_SETTINGS, type TestGateway } from '../support/gateway.ts';
import { RecordingLogger } from '../support/recording-logger.ts';
import { connectRawPeer, until } from './support.ts';

/**
 * Peers that fail authentication, in the default `disconnect` rejection style: each gets its
 * `disconnect` and nothing else, costs no session slot, no log beyond one line, and its socket is gone
 * within moments whatever it sends.
 */

let gw: TestGateway | undefined;
afterEach(async () => {
  await gw?.close();
  gw = undefined;
});

const FLOOR_MS = 50;

describe('a peer that fails authentication', () => {
  it('flooding pings and garbage without reading gets its disconnect and nothing else, and is dropped', async () => {
    const logger = new RecordingLogger();
    gw = await startTestGateway({ env: { AUTH_FAILURE_FLOOR_MS: String(FLOOR_MS) }, logger });
    const peer = await connectRawPeer(gw);
    peer.ws.pause(); // never reads what the server writes
    for (let i = 0; i < 20_000; i++) {
      if (i % 3 === 0)
        peer.send('ping', {}, i * 7); // out-of-order seqs
      else if (i % 3 === 1) peer.ws.send('{not json');
      else peer.ws.send(Buffer.alloc(1600), { binary: true });
    }
    await until(() => gw!.server.connectionCount === 0, 5_000, 'the rejected socket to be closed');
    expect(gw.server.sessions.size).toBe(0);
    peer.ws.resume();
    await peer.closed;
    expect(peer.received.map((m) => m.type)).toEqual(['disconnect']);
    expect(peer.received[0].parameters).toEqual({ reason: 'unauthorized', info: 'authentication failed' });
    // One line for the failed authentication; nothing about what the peer sent afterwards.
    const lines = logger.records.filter((r) => r.level !== 'DEBUG');
    expect(lines.map((r) => r.message)).toEqual(['AudioHook authentication failed']);
  });

  it('that answers with close gets closed and the socket is closed at once (the reference client’s way)', async () => {
    gw = await startTestGateway({ env: { AUTH_FAILURE_FLOOR_MS: String(FLOOR_MS) } });
    const c = new AudioHookClient({ ...gw.clientOptions, apiKey: 'no-such-key' });
    await c.connect();
    expect(await c.open()).toMatchObject({ type: 'disconnect', parameters: { reason: 'unauthorized' } });
    await c.waitFor((m) => m.type === 'closed', 2_000);
    await c.socketClosed();
    expect(c.violations).toEqual([]);
  });

  it('that neither closes nor sends is dropped after the short rejection grace, not the 10 s disconnect grace', async () => {
    gw = await startTestGateway({ env: { AUTH_FAILURE_FLOOR_MS: String(FLOOR_MS) } });
    const peer = await connectRawPeer(gw);
    const t0 = performance.now();
    await peer.closed;
    const elapsed = performance.now() - t0;
    expect(elapsed).toBeLessThan(4_000);
    expect(peer.received.map((m) => m.type)).toEqual(['disconnect']);
  });

  it('holds no session slot: a signed call gets in while rejected peers are still connected', async () => {
    gw = await startTestGateway({ env: { AUTH_FAILURE_FLOOR_MS: String(FLOOR_MS), MAX_SESSIONS: '3' } });
    const bogus = await Promise.all(Array.from({ length: 20 }, () => connectRawPeer(gw!).catch(() => undefined)));
    await until(() => gw!.server.sessions.size === 0, 2_000, 'rejected peers to leave their slots');
    const c = new AudioHookClient(gw.clientOptions);
    expect((await c.start()).type).toBe('opened');
    await c.close();
    for (const peer of bogus) peer?.ws.terminate();
  });
});

describe('ids taken from the upgrade headers', () => {
  it('refuses an id header longer than any UUID with 400', async () => {
    gw = await startTestGateway();
    const c = new AudioHookClient({ ...gw.clientOptions, correlationId: 'x'.repeat(15_000) });
    await expect(c.connect()).rejects.toBeInstanceOf(UpgradeRefusedError);
    expect(c.upgradeStatus).toBe(400);
  });

  it('logs an accepted but over-long id truncated, on every line', async () => {
    const logger = new RecordingLogger();
    gw = await startTestGateway({ logger });
    const c = new AudioHookClient({ ...gw.clientOptions, apiKey: 'no-such-key', correlationId: 'c'.repeat(MAX_ID_HEADER_CHARS) });
    await c.connect();
    await c.open();
    await c.socketClosed();
    expect(logger.records.length).toBeGreaterThan(0);
    for (const record of logger.records) {
      const id = record.attributes.correlationId;
      if (id !== undefined) expect(String(id).length).toBeLessThanOrEqual(64);
      expect(record.bytes).toBeLessThan(2_000);
    }
  });
});

describe('an authenticated peer', () => {
  it('that floods pings without reading is dropped once its send buffer passes the bound; its warnings are capped', async () => {
    const logger = new RecordingLogger();
    gw = await startTestGateway({ logger });
    const peer = await connectRawPeer(gw, { apiKey: TEST_API_KEY, clientSecret: TEST_CLIENT_SECRET });
    peer.send('open', {
      organizationId: undefined,
      conversationId: crypto.randomUUID(),
      participant: { id: crypto.randomUUID() },
      media: [],
    });
    await until(() => gw!.server.sessions.size === 1, 2_000, 'the session');
    peer.ws.pause();
    const rssBefore = process.memoryUsage().rss;
    for (let round = 0; round < 40 && gw.server.connectionCount > 0; round++) {
      for (let i = 0; i < 5_000; i++) peer.send('ping', {}, round * 5_000 + i + 1_000); // every seq out of order once
      await new Promise((r) => setTimeout(r, 20));
    }
    await until(() => gw!.server.connectionCount === 0, 10_000, 'the non-reading peer to be dropped');
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(200 * 1024 * 1024);
    const seqWarnings = logger.records.filter((r) => r.message === 'client seq out of order');
    expect(seqWarnings.length).toBeLessThanOrEqual(5);
    expect(logger.records.some((r) => r.message === 'peer is not reading; dropping the socket')).toBe(true);
    peer.ws.terminate();
  });

  it('that sends every audio frame with an incomplete sample group gets 5 warnings of it, the rest counted once at the end', async () => {
    const logger = new RecordingLogger();
    gw = await startTestGateway({ logger });
    const client = new AudioHookClient(gw.clientOptions); // stereo
    await client.start();
    // 200 frames (40 s of audio), each one byte short of a whole stereo sample group.
    for (let i = 0; i < 200; i++) client.sendRaw(new Uint8Array(3_201));
    await client.ping();
    await client.close();
    await until(() => gw!.server.sessions.size === 0, 5_000, 'the session to end');
    const kind = 'audio frame length is not a multiple of the channel count; incomplete tail dropped';
    expect(logger.records.filter((r) => r.message === kind)).toHaveLength(5);
    const summaries = logger.records.filter((r) => r.message === 'repeated warnings were not logged');
    expect(summaries.map((r) => r.attributes.suppressed)).toEqual([{ [kind]: 195 }]);
  });

  it('that names a language the engine lacks in every update gets 5 warnings of it, the rest counted once at the end', async () => {
    const logger = new RecordingLogger();
    gw = await startTestGateway({ logger, env: { AUDIOHOOK_MODE: 'connector' } });
    const client = new AudioHookClient(gw.clientOptions);
    await client.start();
    for (let i = 0; i < 50; i++) client.sendMessage('update', { language: 'xx-XX' });
    await client.ping();
    await client.close();
    await until(() => gw!.server.sessions.size === 0, 5_000, 'the session to end');
    const kind = 'language not supported by the speech engine; recognition suspended';
    expect(logger.records.filter((r) => r.message === kind)).toHaveLength(5);
    const summaries = logger.records.filter((r) => r.message === 'repeated warnings were not logged');
    expect(summaries).toHaveLength(1);
    expect(summaries[0].attributes.suppressed).toMatchObject({ [kind]: 45 });
    expect(logger.records.filter((r) => r.message === 'update received')).toHaveLength(5);
  });

  it('that switches the language in every update gets 5 info lines of each kind, the rest counted once at the end', async () => {
    const logger = new RecordingLogger();
    gw = await startTestGateway({ logger });
    const client = new AudioHookClient(gw.clientOptions);
    await client.start();
    expect(gw.server.calls.find(client.conversationId)!.startTranscription({ settings: TEST_SETTINGS }).ok).toBe(true);
    for (let i = 0; i < 50; i++) client.sendMessage('update', { language: i % 2 === 0 ? 'es-US' : 'en-US' });
    await client.ping();
    await client.close();
    await until(() => gw!.server.sessions.size === 0, 5_000, 'the session to end');
    expect(logger.records.filter((r) => r.message === 'update received')).toHaveLength(5);
    expect(logger.records.filter((r) => r.message === 'language changed')).toHaveLength(5);
    const summaries = logger.records.filter((r) => r.message === 'repeated warnings were not logged');
    expect(summaries.map((r) => r.attributes.suppressed)).toEqual([{ 'update received': 45, 'language changed': 45 }]);
  });
});
