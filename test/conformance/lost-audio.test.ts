import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopResponse } from '#core/api/responses.ts';
import type { LiveCallView } from '#core/domain/live-call.ts';
import { logger } from '#core/logger.ts';
import { ControlServer } from '#gateway/control-server.ts';
import { RecognitionError, type Recognizer } from '#gateway/recognition/recognizer.ts';
import { LivePublisher } from '#gateway/registry/live-publisher.ts';
import { controlClient, type ControlClient } from '../support/control-client.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';

/**
 * Speech an overloaded engine loses is never lost silently: the stop summary carries 5002 for that
 * participant, and the console's health view (the live view the gateway publishes) lists it, also
 * when the loss came just before the stop.
 */

/** An engine that loses the customer's first 200 ms, as a full decoder pool does (decoder-pool.ts). */
const overloaded: Recognizer = {
  open: (_options, listener) => {
    let reported = false;
    return {
      write: (role) => {
        if (role !== 'customer' || reported) return;
        reported = true;
        listener.onError('customer', new RecognitionError(5002, 'speech engine capacity exhausted', { lostAudioMs: 200 }));
      },
      end: async () => undefined,
    };
  },
  close: async () => undefined,
};

let gw: TestGateway;
let control: ControlServer;
let client: ControlClient;
beforeAll(async () => {
  gw = await startTestGateway({ recognizer: overloaded });
  control = new ControlServer(gw.server.calls);
  client = await controlClient(gw, control);
});
afterAll(async () => {
  await control.close();
  await gw.close();
});

describe('speech lost by an overloaded engine', () => {
  it('is reported by stop-streaming (5002) and shown in the console health view after the stop', async () => {
    const views: LiveCallView[] = [];
    const publisher = new LivePublisher({
      sessions: () => gw.server.sessions,
      calls: gw.server.calls,
      store: { publish: async (_id, view) => (views.push(view), true), end: async (_id, view) => (views.push(view), true) },
      intervalMs: 60_000,
      logger,
    });
    const c = await client.transcribedCall();
    const stopped = await client.stop(c);
    expect(stopped.status).toBe(200);
    expect(stopped.body.customer.status).toEqual({ code: 5002, description: 'No instances available' });
    expect(stopped.body.agent.status.code).toBe(1000);
    expect(stopResponse(stopped.body)).toMatchObject({ isOk: false, errorMessage: 'customer: No instances available' });

    // The console's next round, after the stop, still shows the loss.
    await publisher.publish();
    expect(views.at(-1)?.recognizerErrors).toEqual([{ role: 'customer', code: 5002, description: 'No instances available' }]);
    await c.close();
  });
});
