import { afterEach, describe, expect, it } from 'vitest';
import type { Role } from '#core/domain/participant.ts';
import type { RecognitionListener, RecognitionOptions, RecognitionSession, Recognizer } from '#gateway/recognition/recognizer.ts';
import { AudioHookClient } from '#local/simulator/client.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';

/**
 * Per-call language over a real WebSocket: the start's language wins, else the AudioHook `open`'s, else
 * DEFAULT_LANGUAGE; an `update` naming another language switches recognition for the rest of the call
 * (new recognizer streams, one timeline); a language the engine lacks is refused with 4050, never silently.
 * The engine is a stand-in that records every stream it is asked to open and the positions it is given.
 */
class RecordingEngine implements Recognizer {
  readonly streams: Array<{ language: string; writes: Array<{ role: Role; startSample: number; samples: number }>; ended: boolean }> = [];
  constructor(readonly languages: readonly string[]) {}
  open(options: RecognitionOptions, listener: RecognitionListener): RecognitionSession {
    void listener;
    const stream = { language: options.language, writes: [] as Array<{ role: Role; startSample: number; samples: number }>, ended: false };
    this.streams.push(stream);
    return {
      write: (role, pcm, startSample) => void stream.writes.push({ role, startSample, samples: pcm.length }),
      end: async () => void (stream.ended = true),
    };
  }
  async close(): Promise<void> {}
}

const base = { detailedToken: false, redactionOutput: 'redacted', audioRecordingAllowed: false, customerId: 'C', agentId: 'A' } as const;
const frame = () => new Uint8Array(3_200).fill(0xff); // 200 ms of stereo PCMU

let gw: TestGateway | undefined;
afterEach(async () => {
  await gw?.close();
  gw = undefined;
});

async function call(engine: RecordingEngine, openParameters: Record<string, unknown>, env: Record<string, string> = {}) {
  gw = await startTestGateway({ recognizer: engine, env });
  const c = new AudioHookClient({ ...gw.clientOptions, openParameters });
  await c.start();
  const found = gw.server.calls.find(c.conversationId)!;
  return { c, found };
}

describe('per-call language', () => {
  it("takes the start's language over the open's", async () => {
    const engine = new RecordingEngine(['en-US', 'es-US']);
    const { c, found } = await call(engine, { language: 'es-US' });
    expect(found.startTranscription({ settings: { ...base, language: 'en-US' } }).ok).toBe(true);
    await c.close();
    expect(engine.streams.map((s) => s.language)).toEqual(['en-US']);
  });

  it("takes the open's language when the start names none (any letter case), else DEFAULT_LANGUAGE", async () => {
    const engine = new RecordingEngine(['en-US', 'es-US']);
    const first = await call(engine, { language: 'ES-us' });
    first.found.startTranscription({ settings: base });
    await first.c.close();
    await gw!.close();
    const second = await call(engine, {}, { DEFAULT_LANGUAGE: 'es-US' });
    second.found.startTranscription({ settings: base });
    await second.c.close();
    expect(engine.streams.map((s) => s.language)).toEqual(['es-US', 'es-US']);
  });

  it('switches recognition at an update with a new language: new streams, one continuous timeline', async () => {
    const engine = new RecordingEngine(['en-US', 'es-US']);
    const { c, found } = await call(engine, { language: 'en-US' });
    found.startTranscription({ settings: base });
    c.sendAudio(frame());
    c.sendAudio(frame());
    c.sendMessage('update', { language: 'es-US' });
    c.sendAudio(frame());
    await c.ping();
    expect(engine.streams.map((s) => s.language)).toEqual(['en-US', 'es-US']);
    expect(engine.streams[0].ended).toBe(true);
    expect(engine.streams[0].writes.filter((w) => w.role === 'customer').map((w) => w.startSample)).toEqual([0, 1_600]);
    expect(engine.streams[1].writes.filter((w) => w.role === 'customer').map((w) => w.startSample)).toEqual([3_200]);
    const stop = await found.stopTranscription();
    expect(stop.ok && stop.report.customer.status.code).toBe(1000);
    await c.close();
  });

  it("an update without a language keeps the start's explicit language", async () => {
    const engine = new RecordingEngine(['en-US', 'es-US']);
    const { c, found } = await call(engine, { language: 'es-US' });
    found.startTranscription({ settings: { ...base, language: 'en-US' } });
    c.sendMessage('update', {});
    await c.ping();
    expect(engine.streams.map((s) => s.language)).toEqual(['en-US', 'en-US']);
    await c.close();
  });

  it('refuses a language the engine lacks with 4050 at start, and after an update to one, reports 4050 at stop and recognizes nothing more', async () => {
    const engine = new RecordingEngine(['en-US']);
    const refused = await call(engine, { language: 'es-US' });
    const start = refused.found.startTranscription({ settings: base });
    expect(start.ok && start.report.customer.status.code).toBe(4050);
    expect(engine.streams).toHaveLength(0);
    await refused.c.close();
    await gw!.close();

    const { c, found } = await call(engine, { language: 'en-US' });
    found.startTranscription({ settings: base });
    c.sendAudio(frame());
    c.sendMessage('update', { language: 'fr-FR' });
    c.sendAudio(frame());
    await c.ping();
    expect(engine.streams.map((s) => s.language)).toEqual(['en-US']);
    const stop = await found.stopTranscription();
    expect(stop.ok && stop.report.customer.status.code).toBe(4050);
    expect(stop.ok && stop.report.customer.summary.totalAudioBytes).toBe(3_200);
    await c.close();
    expect(c.violations).toEqual([]);
  });
});
