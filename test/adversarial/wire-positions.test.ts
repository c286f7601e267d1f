import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { MAX_CALL_SECONDS } from '#gateway/audiohook/duration.ts';
import { createEmbeddedRecognizer } from '#gateway/recognition/embedded/embedded-recognizer.ts';
import type { Recognizer } from '#gateway/recognition/recognizer.ts';
import { createTranscribeRecognizer } from '#gateway/recognition/transcribe/transcribe-recognizer.ts';
import { AudioHookClient } from '#local/simulator/client.ts';
import { startTestGateway, TEST_SETTINGS, type TestGateway } from '../support/gateway.ts';
import { fakeTranscribe } from '../unit/recognition/transcribe-fake.ts';

/**
 * Durations and positions from the wire at and beyond their limits, through the real engines: a
 * `discarded` or `resumed` of ~30 million years once hung the embedded path at 100 % CPU and made the
 * Transcribe frame assembler loop forever. Whatever a client reports, the process keeps serving.
 */

/** One second of stereo µ-law speech-like noise: loud enough to open a segment. */
function loudFrame(samples = 8000): Uint8Array {
  const frame = new Uint8Array(samples * 2);
  for (let i = 0; i < frame.length; i++) frame[i] = (i * 37) % 256;
  return frame;
}

let gw: TestGateway | undefined;
let recognizer: Recognizer | undefined;
let fake: ReturnType<typeof fakeTranscribe> | undefined;
afterEach(async () => {
  await gw?.close();
  await recognizer?.close();
  fake?.mock.restore();
  gw = undefined;
  recognizer = undefined;
  fake = undefined;
});
afterAll(() => fake?.mock.restore());

async function abuseTimeline(gateway: TestGateway): Promise<void> {
  const c = new AudioHookClient(gateway.clientOptions);
  await c.start();
  await c.ping();
  const call = gateway.server.calls.find(c.conversationId)!;
  expect(call.startTranscription({ settings: TEST_SETTINGS }).ok).toBe(true);
  c.sendAudio(loudFrame());
  c.sendMessage('discarded', { start: 'PT1S', discarded: 'PT1000000000000000S' });
  c.sendMessage('resumed', { start: 'PT1S', discarded: 'PT1200000000000S' });
  for (let i = 0; i < 50; i++) c.sendMessage('discarded', { start: 'PT1S', discarded: `PT${MAX_CALL_SECONDS}S` });
  for (let i = 0; i < 3; i++) c.sendAudio(loudFrame());
  // The process still answers (a hung loop would never answer, and the test would time out): a ping
  // round trip, /health, and the call's position stays exact.
  await c.ping();
  const health = await fetch(`${gateway.httpUrl}/health`);
  expect(health.status).toBe(200);
  expect(call.timeline.positionSamples).toBe(MAX_CALL_SECONDS * 8000 + 4 * 8000);
  expect(Number.isSafeInteger(call.timeline.positionSamples)).toBe(true);
  expect((await call.stopTranscription()).ok).toBe(true);
  await c.close();
  expect(c.violations).toEqual([]);
}

describe('wire durations at and beyond the longest call', () => {
  it('cannot hang the embedded engine path', async () => {
    recognizer = await createEmbeddedRecognizer({ decoders: 1 });
    gw = await startTestGateway({ recognizer });
    await abuseTimeline(gw);
  }, 60_000);

  it('cannot hang the Transcribe path’s frame assembler', async () => {
    fake = fakeTranscribe([]);
    recognizer = createTranscribeRecognizer({ client: fake.client, retryBaseDelayMs: 1, retryMaxDelayMs: 5, endTimeoutMs: 2_000 });
    gw = await startTestGateway({ recognizer });
    await abuseTimeline(gw);
  });
});
