import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '#core/domain/participant.ts';
import type { RecognitionSession, Recognizer } from '#gateway/recognition/recognizer.ts';
import { MULAW_DECODE_TABLE } from '#gateway/audio/mulaw.ts';
import { AudioHookClient } from '#local/simulator/client.ts';
import { startTestGateway, TEST_SETTINGS, type TestGateway } from '../support/gateway.ts';

/**
 * Where decoded audio lives (RecognitionSession.copiesInput): a recognizer that keeps the arrays it is
 * given gets arrays of its own for every frame, which later frames never overwrite; one that copies
 * what it keeps is lent one reused buffer, holding each frame's samples while `write` runs.
 */

/** Every write: the array itself, and its samples as they were when `write` ran. */
class KeepingRecognizer implements Recognizer {
  writes: Array<{ role: Role; pcm: Int16Array; seen: number[] }> = [];
  constructor(private readonly copiesInput: boolean) {}
  open(): RecognitionSession {
    return {
      ...(this.copiesInput && { copiesInput: true }),
      write: (role, pcm) => void this.writes.push({ role, pcm, seen: [...pcm] }),
      end: async () => {},
    };
  }
  async close(): Promise<void> {}
}

/** Distinct µ-law bytes per frame and channel: frame f's external byte is 0x10 + f, its internal 0x90 + f. */
const FRAMES = 4;
const SAMPLES = 1600;
const frame = (f: number) => {
  const bytes = new Uint8Array(SAMPLES * 2);
  for (let i = 0; i < SAMPLES; i++) [bytes[2 * i], bytes[2 * i + 1]] = [0x10 + f, 0x90 + f];
  return bytes;
};
const expected = (f: number, role: Role) => MULAW_DECODE_TABLE[role === 'customer' ? 0x10 + f : 0x90 + f];

async function stream(gw: TestGateway): Promise<void> {
  const c = new AudioHookClient(gw.clientOptions);
  await c.start();
  expect(gw.server.calls.find(c.conversationId)!.startTranscription({ settings: TEST_SETTINGS }).ok).toBe(true);
  for (let f = 0; f < FRAMES; f++) c.sendAudio(frame(f));
  await c.ping(); // every frame before it has been handled
  await c.close();
}

function checkSeen(writes: KeepingRecognizer['writes']): void {
  expect(writes).toHaveLength(FRAMES * 2);
  writes.forEach(({ role, seen }, i) => {
    expect(seen).toHaveLength(SAMPLES);
    expect(new Set(seen)).toEqual(new Set([expected(Math.floor(i / 2), role)]));
  });
}

describe('a recognizer that keeps what it is given', () => {
  const recognizer = new KeepingRecognizer(false);
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ recognizer });
  });
  afterAll(() => gw.close());

  it('gets arrays that still hold their own frame after later frames were decoded', async () => {
    await stream(gw);
    checkSeen(recognizer.writes);
    recognizer.writes.forEach(({ pcm, seen }) => expect([...pcm]).toEqual(seen));
  });
});

describe('a recognizer that copies what it keeps', () => {
  const recognizer = new KeepingRecognizer(true);
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ recognizer });
  });
  afterAll(() => gw.close());

  it('is lent one buffer per channel, reused frame after frame, holding each frame while write runs', async () => {
    await stream(gw);
    checkSeen(recognizer.writes);
    const customer = recognizer.writes.filter((w) => w.role === 'customer').map((w) => w.pcm);
    const agent = recognizer.writes.filter((w) => w.role === 'agent').map((w) => w.pcm);
    expect(new Set(customer.map((pcm) => pcm.buffer)).size).toBe(1);
    expect(new Set(agent.map((pcm) => pcm.buffer)).size).toBe(1);
    expect(customer[0].buffer).not.toBe(agent[0].buffer);
  });
});
