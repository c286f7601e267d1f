import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '#core/domain/participant.ts';
import { ROLES } from '#core/domain/participant.ts';
import type { Call } from '#gateway/call.ts';
import type { RecognitionOptions, RecognitionSession, Recognizer } from '#gateway/recognition/recognizer.ts';
import type { StopResults } from '#core/domain/participant-result.ts';
import { AudioHookClient, type MediaOffer } from '#local/simulator/client.ts';
import { simulateCall } from '#local/simulator/simulate-call.ts';
import { startTestGateway, TEST_SETTINGS, type TestGateway } from '../support/gateway.ts';

/**
 * The audio path end to end over a real socket: channel order → roles, µ-law decoding, per-participant
 * counters, the timeline rule with discards and pauses, odd frames, frames outside streaming, and the
 * stop summary's counters (16 bytes per ms).
 */

/** Records every chunk it is given, decoded, per role. */
class RecordingRecognizer implements Recognizer {
  chunks: Array<{ role: Role; first: number; length: number; startSample: number }> = [];
  sessions = 0;
  ended = 0;
  open(_options: RecognitionOptions): RecognitionSession {
    this.sessions++;
    return {
      write: (role, pcm, startSample) => this.chunks.push({ role, first: pcm[0], length: pcm.length, startSample }),
      end: async () => void this.ended++,
    };
  }
  async close(): Promise<void> {}
  samples(role: Role): number {
    return this.chunks.filter((c) => c.role === role).reduce((n, c) => n + c.length, 0);
  }
}

let gw: TestGateway;
let recognizer: RecordingRecognizer;
const ended: Array<{ call: Call; report: StopResults | undefined }> = [];

beforeAll(async () => {
  recognizer = new RecordingRecognizer();
  gw = await startTestGateway({ recognizer, events: { ended: (call, report) => void ended.push({ call, report }) } });
});
afterAll(async () => {
  await gw.close();
});

const PCMU = (channels: MediaOffer['channels']): MediaOffer => ({ type: 'audio', format: 'PCMU', channels, rate: 8000 });

/** µ-law 0x00 decodes to -32124, 0x80 to +32124: each party gets a value that identifies it. */
const EXTERNAL_BYTE = 0x00;
const INTERNAL_BYTE = 0x80;

function stereoFrame(samples: number, order: Array<'external' | 'internal'>): Uint8Array {
  const frame = new Uint8Array(samples * 2);
  for (let i = 0; i < samples; i++) {
    for (let c = 0; c < 2; c++) frame[i * 2 + c] = order[c] === 'external' ? EXTERNAL_BYTE : INTERNAL_BYTE;
  }
  return frame;
}

async function openCall(media: MediaOffer[]): Promise<{ c: AudioHookClient; call: Call }> {
  const c = new AudioHookClient({ ...gw.clientOptions, media });
  await c.start();
  await c.ping();
  const call = gw.server.calls.find(c.conversationId)!;
  expect(call).toBeDefined();
  return { c, call };
}

/** Waits until the server has processed everything sent so far (a ping round trip). */
const settle = (c: AudioHookClient) => c.ping();

describe('channel routing', () => {
  it.each([[['external', 'internal']], [['internal', 'external']]] as Array<[Array<'external' | 'internal'>]>)(
    'maps %j by the negotiated order: external = customer',
    async (order) => {
      const { c, call } = await openCall([PCMU(order)]);
      recognizer.chunks = [];
      expect(call.startTranscription({ settings: TEST_SETTINGS }).ok).toBe(true);
      c.sendAudio(stereoFrame(1600, order));
      await settle(c);
      const customer = recognizer.chunks.filter((x) => x.role === 'customer');
      const agent = recognizer.chunks.filter((x) => x.role === 'agent');
      expect(customer.map((x) => x.first)).toEqual([-32124]);
      expect(agent.map((x) => x.first)).toEqual([32124]);
      expect(customer[0].length).toBe(1600);
      await c.close();
    },
  );

  it('routes a mono internal session to the agent only; the customer reports 4080', async () => {
    const { c, call } = await openCall([PCMU(['internal'])]);
    recognizer.chunks = [];
    const started = call.startTranscription({ settings: TEST_SETTINGS });
    expect(started.ok && started.report.customer.status).toEqual({ code: 4080, description: 'Unable to transcribe the audio' });
    expect(started.ok && started.report.agent.status).toEqual({ code: 1000, description: 'OK' });
    c.sendAudio(new Uint8Array(800).fill(INTERNAL_BYTE));
    await settle(c);
    expect(recognizer.samples('agent')).toBe(800);
    expect(recognizer.samples('customer')).toBe(0);
    await c.close();
  });
});

describe('the call simulator', () => {
  it('plays a mono recording as the customer only, on a mono PCMU session', async () => {
    recognizer.chunks = [];
    const result = await simulateCall({
      ...gw.clientOptions,
      audio: { channels: 1, mulaw: new Uint8Array(8_000).fill(EXTERNAL_BYTE) },
      realtime: false,
      afterOpened: (c) => void gw.server.calls.find(c.conversationId)!.startTranscription({ settings: TEST_SETTINGS }),
    });
    expect(result.client.selectedMedia).toEqual(PCMU(['external']));
    expect(recognizer.samples('customer')).toBe(8_000);
    expect(recognizer.samples('agent')).toBe(0);
    expect(result.violations).toEqual([]);
  });
});

describe('frames of any size', () => {
  it('accepts frames of 1 sample up to 60 KiB and counts every sample', async () => {
    const { c, call } = await openCall([PCMU(['external', 'internal'])]);
    const sizes = [1, 2, 3, 160, 1600, 3200, 30_000];
    for (const samples of sizes) c.sendAudio(stereoFrame(samples, ['external', 'internal']));
    await settle(c);
    const total = sizes.reduce((a, b) => a + b, 0);
    expect(call.counters.receivedSamples).toEqual({ customer: total, agent: total });
    expect(call.timeline.positionSamples).toBe(total);
    await c.close();
    expect(c.violations).toEqual([]);
  });

  it('drops the incomplete tail of an odd-length stereo frame, logs it, and keeps the session', async () => {
    const { c, call } = await openCall([PCMU(['external', 'internal'])]);
    c.sendRaw(new Uint8Array(3201));
    await settle(c);
    expect(call.counters.receivedSamples.customer).toBe(1600);
    expect(call.counters.droppedBytes).toBe(1);
    c.sendRaw(new Uint8Array(1));
    await settle(c);
    expect(call.counters.droppedBytes).toBe(2);
    await c.close();
    expect(c.violations).toEqual([]);
  });

  it('drops and counts audio outside streaming (paused, before opened) without ending the session', async () => {
    const c = new AudioHookClient({ ...gw.clientOptions });
    await c.connect();
    c.sendRaw(new Uint8Array(320));
    await c.open();
    await c.ping();
    const session = [...gw.server.sessions].find((s) => s.sessionId === c.sessionId)!;
    const call = gw.server.calls.find(c.conversationId)!;
    expect(session.counters.droppedFrames).toBe(1);
    c.sendPaused();
    c.sendRaw(new Uint8Array(320));
    await settle(c);
    expect(session.counters.droppedFrames).toBe(2);
    expect(call.counters.receivedSamples.customer).toBe(0);
    c.sendResumed(1);
    c.sendAudio(new Uint8Array(320));
    await settle(c);
    expect(call.counters.receivedSamples.customer).toBe(160);
    await c.close();
  });
});

describe('timeline (§11)', () => {
  it('places audio after discarded and resumed spans on the call timeline', async () => {
    const { c, call } = await openCall([PCMU(['external', 'internal'])]);
    recognizer.chunks = [];
    call.startTranscription({ settings: TEST_SETTINGS });
    c.sendAudio(stereoFrame(1600, ['external', 'internal'])); // 0.0–0.2 s
    c.sendDiscarded(1.4); // 0.2–1.6 s skipped
    c.sendAudio(stereoFrame(1600, ['external', 'internal'])); // 1.6–1.8 s
    c.sendPaused();
    c.sendResumed(2); // 1.8–3.8 s paused
    c.sendAudio(stereoFrame(800, ['external', 'internal'])); // 3.8–3.9 s
    await settle(c);
    const starts = recognizer.chunks.filter((x) => x.role === 'customer').map((x) => x.startSample);
    expect(starts).toEqual([0, 1600 + 11_200, 3_200 + 11_200 + 16_000]);
    expect(call.timeline.positionMs()).toBe(3_900);
    await c.close();
  });

  it('ignores an invalid discarded duration without moving the timeline', async () => {
    const { c, call } = await openCall([PCMU(['external', 'internal'])]);
    c.sendMessage('discarded', { start: 'PT0S', discarded: 'banana' });
    c.sendMessage('discarded', { start: 'PT0S', discarded: '-PT1S' });
    await settle(c);
    expect(call.timeline.positionSamples).toBe(0);
    await c.close();
  });
});

describe('transcription spans and the stop summary', () => {
  it('counts PCM16 bytes (16 per ms), audio ms and wall seconds per participant; audio outside a span is not recognized', async () => {
    const { c, call } = await openCall([PCMU(['external', 'internal'])]);
    recognizer.chunks = [];
    c.sendAudio(stereoFrame(8_000, ['external', 'internal'])); // 1 s before start: counted, not recognized
    await settle(c);
    expect(recognizer.chunks).toHaveLength(0);
    const started = call.startTranscription({ settings: TEST_SETTINGS, streamIds: { customer: 'cust-stream', agent: 'agent-stream' } });
    expect(started.ok).toBe(true);
    expect(call.startTranscription({ settings: TEST_SETTINGS })).toEqual({ ok: false, error: 'running' });
    for (let i = 0; i < 10; i++) c.sendAudio(stereoFrame(1_668, ['external', 'internal']));
    await settle(c);
    const stopped = await call.stopTranscription();
    expect(stopped.ok).toBe(true);
    if (!stopped.ok) return;
    for (const role of ROLES) {
      expect(stopped.report[role].summary).toEqual({
        totalAudioBytes: 16_680 * 2,
        audioDurationMs: 2_085,
        streamingSeconds: 1,
        transcripts: 0,
      });
    }
    expect(stopped.report.customer.streamId).toBe('cust-stream');
    expect(await call.stopTranscription()).toEqual({ ok: false, error: 'not-running' });
    c.sendAudio(stereoFrame(800, ['external', 'internal']));
    await settle(c);
    expect(recognizer.samples('customer')).toBe(16_680);
    // start → stop → start again: new stream ids, fresh counters
    const again = call.startTranscription({ settings: TEST_SETTINGS });
    expect(again.ok && again.report.customer.streamId).not.toBe('cust-stream');
    c.sendAudio(stereoFrame(800, ['external', 'internal']));
    await settle(c);
    const second = await call.stopTranscription();
    expect(second.ok && second.report.customer.summary.totalAudioBytes).toBe(1_600);
    expect(call.counters.receivedSamples.customer).toBe(8_000 + 16_680 + 800 + 800);
    await c.close();
  });

  it('ends a running span when the call closes and reports it once to the registry', async () => {
    const { c, call } = await openCall([PCMU(['external', 'internal'])]);
    const endedBefore = recognizer.ended;
    call.startTranscription({ settings: TEST_SETTINGS });
    c.sendAudio(stereoFrame(1_600, ['external', 'internal']));
    await c.close();
    expect(recognizer.ended).toBe(endedBefore + 1);
    const entry = ended.find((e) => e.call === call)!;
    expect(entry.report?.customer.summary.totalAudioBytes).toBe(3_200);
    expect(await call.stopTranscription()).toEqual({ ok: false, error: 'ended' });
    expect(call.startTranscription({ settings: TEST_SETTINGS })).toEqual({ ok: false, error: 'ended' });
  });

  it('flushes and reports a running span when the socket drops without close', async () => {
    const { c, call } = await openCall([PCMU(['external', 'internal'])]);
    call.startTranscription({ settings: TEST_SETTINGS });
    c.sendAudio(stereoFrame(800, ['external', 'internal']));
    await settle(c);
    await c.drop();
    await expect.poll(() => ended.find((e) => e.call === call)?.report?.agent.summary.totalAudioBytes).toBe(1_600);
  });
});
