import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_RATE } from '#gateway/audiohook/session.ts';
import { AudioHookClient, type MediaOffer } from '#local/simulator/client.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';

/**
 * The conformance checklist of docs/audiohook-protocol.md §20, driven over real WebSockets against the
 * real server, with a client that applies Genesys's strict checks (§6) to everything we send.
 */

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(async () => {
  await gw.close();
});

const client = (options: Partial<ConstructorParameters<typeof AudioHookClient>[0]> = {}) =>
  new AudioHookClient({ ...gw.clientOptions, ...options });

const PCMU = (channels: MediaOffer['channels']): MediaOffer => ({ type: 'audio', format: 'PCMU', channels, rate: 8000 });

describe('open transaction', () => {
  it('answers open with opened seq 1 / clientseq 1, stereo PCMU copied, startPaused false', async () => {
    const c = client();
    const opened = await c.start();
    expect(opened).toEqual({
      version: '2',
      id: c.sessionId,
      type: 'opened',
      seq: 1,
      clientseq: 1,
      parameters: { startPaused: false, media: [PCMU(['external', 'internal'])] },
    });
    await c.close();
    expect(c.violations).toEqual([]);
  });

  it('prefers stereo even when offered after mono, and keeps the offered channel order', async () => {
    const media = [PCMU(['external']), PCMU(['internal', 'external']), PCMU(['internal'])];
    const c = client({ media });
    const opened = await c.start();
    expect(opened.parameters.media).toEqual([PCMU(['internal', 'external'])]);
    await c.close();
    expect(c.violations).toEqual([]);
  });

  it('selects mono PCMU when no stereo entry is offered', async () => {
    const c = client({ media: [PCMU(['internal'])] });
    expect((await c.start()).parameters.media).toEqual([PCMU(['internal'])]);
    await c.close();
  });

  it('answers media: [] when only L16 or unknown formats are offered, and stays open', async () => {
    const media = [{ type: 'audio', format: 'L16', channels: ['external', 'internal'], rate: 8000 }] as MediaOffer[];
    const c = client({ media });
    expect((await c.start()).parameters.media).toEqual([]);
    await c.ping();
    await c.close();
    expect(c.violations).toEqual([]);
  });

  it('echoes unknown fields of the chosen media entry unchanged', async () => {
    const offer = { ...PCMU(['external', 'internal']), futureField: { x: 1 } } as MediaOffer;
    const c = client({ media: [offer] });
    expect((await c.start()).parameters.media).toEqual([offer]);
    await c.close();
  });

  it('lists supported languages only when asked', async () => {
    const asked = client({ openParameters: { supportedLanguages: true } });
    expect((await asked.start()).parameters.supportedLanguages).toEqual(['en-US', 'es-US']);
    await asked.close();
    const notAsked = client();
    expect((await notAsked.start()).parameters).not.toHaveProperty('supportedLanguages');
    await notAsked.close();
  });

  it('tolerates unknown open parameters and top-level fields, and any UUID version', async () => {
    const c = client({
      sessionId: 'ABCDEF01-2345-0789-ABCD-EF0123456789',
      openParameters: { somethingNew: [1, 2], customConfig: { a: 1 } },
    });
    await c.connect();
    c.sendMessage(
      'open',
      {
        organizationId: c.organizationId,
        conversationId: c.conversationId,
        media: [PCMU(['external', 'internal'])],
        extra: true,
      },
      { futureTopLevel: 'x' },
    );
    const opened = await c.waitFor((m) => m.type === 'opened', 2_000);
    expect(opened.id).toBe('ABCDEF01-2345-0789-ABCD-EF0123456789');
    await c.close();
    expect(c.violations).toEqual([]);
  });

  it('ignores a second open', async () => {
    const c = client();
    await c.start();
    c.sendMessage('open', { organizationId: c.organizationId, conversationId: c.conversationId, media: [] });
    await c.ping();
    expect(c.received.filter((m) => m.type === 'opened')).toHaveLength(1);
    await c.close();
    expect(c.violations).toEqual([]);
  });
});

describe('ping / pong', () => {
  it('answers the first ping with pong seq 2 / clientseq 2 (nothing between opened and pong)', async () => {
    const c = client();
    await c.start();
    await c.ping();
    const pong = c.received[1];
    expect(pong).toMatchObject({ type: 'pong', seq: 2, clientseq: 2, parameters: {} });
    await c.close();
  });

  it('answers a burst of pings each with its own clientseq', async () => {
    const c = client();
    await c.start();
    const seqs = Array.from({ length: 20 }, () => c.sendMessage('ping', {}));
    await c.waitFor((m) => m.type === 'pong' && m.clientseq === seqs.at(-1), 2_000);
    const pongs = c.received.filter((m) => m.type === 'pong');
    expect(pongs.map((p) => p.clientseq)).toEqual(seqs);
    await c.close();
    expect(c.violations).toEqual([]);
  });

  it('answers a ping whose parameters are missing', async () => {
    const c = client();
    await c.start();
    c.sendRaw(JSON.stringify({ version: '2', id: c.sessionId, type: 'ping', seq: 2, serverseq: 1, position: 'PT1S' }));
    const pong = await c.waitFor((m) => m.type === 'pong', 2_000);
    expect(pong).toMatchObject({ seq: 2, clientseq: 2, parameters: {} });
    await c.close();
  });
});

describe('close transaction', () => {
  it('keeps seq/clientseq right after update, discarded, error and a pause with paused twice', async () => {
    const c = client();
    await c.start();
    await c.ping();
    c.sendMessage('update', { language: 'es-US' });
    c.sendDiscarded(0.4);
    c.sendMessage('error', { code: 500, message: 'client trouble' });
    c.sendPaused();
    c.sendPaused();
    c.sendResumed(1.5);
    const closed = await c.close();
    // open, ping, update, discarded, error, paused, paused, resumed, close = client seq 9
    expect(closed).toMatchObject({ type: 'closed', seq: 3, clientseq: 9, parameters: {} });
    expect(c.violations).toEqual([]);
  });

  it('ignores a duplicate close and sends one closed', async () => {
    const c = client();
    await c.start();
    c.sendMessage('close', { reason: 'end' });
    c.sendMessage('close', { reason: 'end' });
    await c.waitFor((m) => m.type === 'closed', 2_000);
    await new Promise((r) => setTimeout(r, 100));
    expect(c.received.filter((m) => m.type === 'closed')).toHaveLength(1);
    await c.drop();
  });

  it('accepts close before open', async () => {
    const c = client();
    await c.connect();
    const closed = await c.close();
    expect(closed).toMatchObject({ type: 'closed', seq: 1, clientseq: 1 });
  });

  it('runs the close transaction for a close with invalid parameters', async () => {
    const c = client();
    await c.start();
    c.sendRaw(JSON.stringify({ version: '2', id: c.sessionId, type: 'close', seq: 2, serverseq: 1, parameters: 'oops' }));
    const closed = await c.waitFor((m) => m.type === 'closed', 2_000);
    expect(closed).toMatchObject({ seq: 2, clientseq: 2 });
    await c.drop();
  });
});

describe('leniency and hard failures (§16)', () => {
  it('logs and ignores unknown message types', async () => {
    const c = client();
    await c.start();
    c.sendMessage('brand-new-type', { anything: true });
    await c.ping();
    await c.close();
    expect(c.received.map((m) => m.type)).toEqual(['opened', 'pong', 'closed']);
  });

  it('continues after a client seq gap and a serverseq ahead of ours', async () => {
    const c = client();
    await c.start();
    c.sendRaw(JSON.stringify({ version: '2', id: c.sessionId, type: 'ping', seq: 7, serverseq: 99, parameters: {} }));
    const pong = await c.waitFor((m) => m.type === 'pong', 2_000);
    expect(pong.clientseq).toBe(7);
    c.sendRaw(JSON.stringify({ version: '2', id: c.sessionId, type: 'close', seq: 8, serverseq: 2, parameters: { reason: 'end' } }));
    expect(await c.waitFor((m) => m.type === 'closed', 2_000)).toMatchObject({ clientseq: 8 });
    await c.drop();
  });

  it.each([
    ['not JSON', 'this is not json'],
    ['a JSON array', '[1,2,3]'],
    ['missing version', JSON.stringify({ id: 'X', type: 'ping', seq: 2, parameters: {} })],
    ['missing type', JSON.stringify({ version: '2', id: 'X', seq: 2, parameters: {} })],
    ['seq not an integer', JSON.stringify({ version: '2', id: 'X', type: 'ping', seq: 'two', parameters: {} })],
    ['negative seq', JSON.stringify({ version: '2', id: 'X', type: 'ping', seq: -1, parameters: {} })],
  ])('disconnects with error on %s, then completes the close transaction', async (_name, raw) => {
    const c = client();
    await c.start();
    c.sendRaw(raw.replace('"X"', JSON.stringify(c.sessionId)));
    const disconnect = await c.waitFor((m) => m.type === 'disconnect', 2_000);
    expect(disconnect.parameters).toEqual({ reason: 'error', info: 'protocol error' });
    // The strict client answers with close(disconnect); the server owes closed.
    await c.waitFor((m) => m.type === 'closed', 2_000);
    await c.socketClosed();
    expect(c.violations).toEqual([]);
  });

  it('disconnects with error when a message id is not the session id', async () => {
    const c = client();
    await c.start();
    c.sendMessage('ping', {}, { id: '11111111-1111-4111-8111-111111111111' });
    expect((await c.waitFor((m) => m.type === 'disconnect', 2_000)).parameters.reason).toBe('error');
    await c.waitFor((m) => m.type === 'closed', 2_000);
  });

  it.each([
    ['organizationId', { conversationId: '5a1f1a51-1234-4321-9876-123456789abc', media: [] }],
    ['conversationId', { organizationId: 'o', media: [] }],
    ['media', { organizationId: 'o', conversationId: '5a1f1a51-1234-4321-9876-123456789abc' }],
    ['media array', { organizationId: 'o', conversationId: '5a1f1a51-1234-4321-9876-123456789abc', media: {} }],
  ])('disconnects with error when open lacks %s', async (_name, parameters) => {
    const c = client();
    await c.connect();
    c.sendMessage('open', parameters);
    const reply = await c.waitFor((m) => m.type === 'disconnect' || m.type === 'opened', 2_000);
    expect(reply).toMatchObject({ type: 'disconnect', parameters: { reason: 'error' } });
    await c.waitFor((m) => m.type === 'closed', 2_000);
  });

  it('disconnects with unauthorized when open.organizationId differs from the header', async () => {
    const c = client();
    await c.connect();
    c.sendMessage('open', {
      organizationId: '99999999-9999-4999-8999-999999999999',
      conversationId: c.conversationId,
      media: [PCMU(['external'])],
    });
    const reply = await c.waitFor((m) => m.type === 'disconnect' || m.type === 'opened', 2_000);
    expect(reply).toMatchObject({ type: 'disconnect', parameters: { reason: 'unauthorized', info: 'authentication failed' } });
    await c.waitFor((m) => m.type === 'closed', 2_000);
  });

  it('keeps serving ping and close after its own disconnect, ignoring the rest', async () => {
    const c = client();
    await c.start();
    c.sendRaw('garbage');
    await c.waitFor((m) => m.type === 'disconnect', 2_000);
    await c.waitFor((m) => m.type === 'closed', 2_000);
    expect(c.violations).toEqual([]);
  });
});

describe('connection probe (§12)', () => {
  it('answers a probe at once, starts no call, and closes cleanly', async () => {
    const c = client({
      conversationId: '00000000-0000-0000-0000-000000000000',
      participant: { id: '00000000-0000-0000-0000-000000000000', ani: '', aniName: '', dnis: '' },
    });
    const t0 = performance.now();
    const opened = await c.start();
    expect(performance.now() - t0).toBeLessThan(1_000);
    expect(opened.type).toBe('opened');
    expect(gw.server.calls.find(c.conversationId)).toBeUndefined();
    await c.ping();
    await c.close();
    expect(c.violations).toEqual([]);
  });
});

describe('server-initiated pause, resume and events', () => {
  it('sends pause/resume only while streaming and tracks the client state', async () => {
    const c = client();
    await c.start();
    await c.ping();
    const session = [...gw.server.sessions].find((s) => s.sessionId === c.sessionId)!;
    expect(session.resume()).toBe(false);
    expect(session.pause()).toBe(true);
    await c.waitFor((m) => m.type === 'pause', 2_000);
    c.sendPaused();
    await c.ping();
    expect(session.state).toBe('paused');
    expect(session.resume()).toBe(true);
    await c.waitFor((m) => m.type === 'resume', 2_000);
    c.sendResumed(2);
    await c.ping();
    expect(session.state).toBe('active');
    await c.close();
    expect(c.violations).toEqual([]);
  });

  it('holds events until the first pong, sends none with no entities, and holds them during a 429 retryAfter', async () => {
    const c = client();
    await c.start();
    const session = [...gw.server.sessions].find((s) => s.sessionId === c.sessionId)!;
    const entity = (id: string) => ({
      type: 'transcript',
      data: { id, channelId: 0, isFinal: true, offset: 'PT0S', duration: 'PT1S', alternatives: [] },
    });
    session.sendEvent([entity('early')]);
    session.sendEvent([]);
    await new Promise((r) => setTimeout(r, 100));
    expect(c.received.some((m) => m.type === 'event')).toBe(false);
    const pong = c.ping();
    const first = await c.waitFor((m) => m.type === 'event', 2_000);
    await pong;
    // The pong is answered first (seq 2), the held entity follows it.
    expect(first).toMatchObject({ seq: 3, parameters: { entities: [{ data: { id: 'early' } }] } });
    c.sendMessage('error', { code: 429, message: 'slow down', retryAfter: 'PT0.5S' });
    await c.ping();
    session.sendEvent([entity('held')]);
    await c.ping();
    expect(c.received.filter((m) => m.type === 'event')).toHaveLength(1);
    const held = await c.waitFor((m) => m.type === 'event' && (m.parameters.entities as any[])[0].data.id === 'held', 2_000);
    expect(held.parameters.entities).toHaveLength(1);
    await c.close();
    expect(c.violations).toEqual([]);
  });

  it('keeps events within the rate budget: a burst beyond it leaves batched, nothing lost, all before closed', async () => {
    const c = client();
    await c.start();
    await c.ping();
    const session = [...gw.server.sessions].find((s) => s.sessionId === c.sessionId)!;
    for (let i = 0; i < EVENT_RATE.burst + 10; i++) {
      session.sendEvent([{ type: 'transcript', data: { id: `t${i}` } }]);
    }
    await c.close();
    const events = c.received.filter((m) => m.type === 'event');
    const ids = events.flatMap((e) => (e.parameters.entities as any[]).map((x) => x.data.id));
    expect(ids).toEqual(Array.from({ length: EVENT_RATE.burst + 10 }, (_, i) => `t${i}`));
    expect(events.length).toBeLessThanOrEqual(EVENT_RATE.burst + 2);
    const closedIndex = c.received.findIndex((m) => m.type === 'closed');
    expect(c.received.findLastIndex((m) => m.type === 'event')).toBeLessThan(closedIndex);
    expect(c.violations).toEqual([]);
  });
});
