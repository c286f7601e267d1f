import { afterEach, describe, expect, it } from 'vitest';
import type { Call } from '#gateway/call.ts';
import { ControlServer } from '#gateway/control-server.ts';
import type { Recognizer } from '#gateway/recognition/recognizer.ts';
import type { StopResults } from '#core/domain/participant-result.ts';
import type { AudioHookClient } from '#local/simulator/client.ts';
import { controlClient, type ControlClient } from '../support/control-client.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';

/**
 * Finding: a stop racing a close could lose the span's final summary — the stop took the span, its
 * answer never reached the caller (timed out during the flush, or gone), and the call then ended with
 * nothing to hand the registry. Every span's summary now reaches exactly one place.
 */

const FLUSH_MS = 400;
/** An engine whose flush takes FLUSH_MS, as a loaded one does. */
const slowFlush: Recognizer = {
  open: () => ({ write: () => undefined, end: () => new Promise((r) => setTimeout(r, FLUSH_MS)) }),
  close: async () => undefined,
};

let gw: TestGateway;
let control: ControlServer;
let client: ControlClient;
let ended: Array<StopResults | undefined>;
afterEach(async () => {
  await control.close();
  await gw.close();
});

async function setUp(): Promise<void> {
  ended = [];
  gw = await startTestGateway({ recognizer: slowFlush, events: { ended: (_call: Call, report) => void ended.push(report) } });
  control = new ControlServer(gw.server.calls);
  client = await controlClient(gw, control);
}

/** A stop whose caller gives up during the flush (the Lambda's timeout). */
async function abandonedStop(c: AudioHookClient): Promise<void> {
  await expect(client.stop(c, AbortSignal.timeout(FLUSH_MS / 4))).rejects.toMatchObject({ name: 'TimeoutError' });
}

describe('stop racing close', () => {
  it('hands the summary of a stop nobody received to the registry when the call ends', async () => {
    await setUp();
    const c = await client.transcribedCall();
    await abandonedStop(c);
    await c.close();
    await expect.poll(() => ended.length, { timeout: 5_000 }).toBe(1);
    expect(ended[0]?.customer).toMatchObject({ streamId: 'cs', summary: { totalAudioBytes: 1_600 } });
  });

  it('gives it to the next stop while the call goes on, once', async () => {
    await setUp();
    const c = await client.transcribedCall();
    await abandonedStop(c);
    const retried = await client.stop(c);
    expect(retried).toMatchObject({ status: 200, body: { customer: { streamId: 'cs', summary: { totalAudioBytes: 1_600 } } } });
    expect(await client.stop(c)).toEqual({ status: 409, body: { error: 'not-running' } });
    await c.close();
    await expect.poll(() => ended.length, { timeout: 5_000 }).toBe(1);
    expect(ended[0]).toBeUndefined();
  });

  it('does not report a delivered stop twice when the close arrives during its flush', async () => {
    await setUp();
    const c = await client.transcribedCall();
    const stop = client.stop(c);
    await new Promise((r) => setTimeout(r, FLUSH_MS / 4));
    const closed = c.close();
    expect(await stop).toMatchObject({ status: 200, body: { customer: { streamId: 'cs' } } });
    await closed;
    await expect.poll(() => ended.length, { timeout: 5_000 }).toBe(1);
    expect(ended[0]).toBeUndefined();
  });
});
