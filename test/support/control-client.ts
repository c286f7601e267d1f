import { controlPath } from '#core/api/gateway-control.ts';
import type { ControlServer } from '#gateway/control-server.ts';
import { AudioHookClient } from '#local/simulator/client.ts';
import { TEST_SETTINGS, type TestGateway } from './gateway.ts';

/** Calls to a gateway's control endpoint as the start/stop Lambdas make them, for conformance tests. */

interface ControlReply {
  status: number;
  body: any;
}

export interface ControlClient {
  post(path: string, body: unknown, signal?: AbortSignal): Promise<ControlReply>;
  /** Opens a session, starts a span for `tenant` with stream ids `cs`/`as`, and sends 100 ms of audio. */
  transcribedCall(tenant?: string): Promise<AudioHookClient>;
  stop(c: AudioHookClient, signal?: AbortSignal): Promise<ControlReply>;
}

export async function controlClient(gw: TestGateway, control: ControlServer): Promise<ControlClient> {
  const base = `http://127.0.0.1:${(await control.listen(0, '127.0.0.1')).port}`;
  const post = async (path: string, body: unknown, signal?: AbortSignal): Promise<ControlReply> => {
    const res = await fetch(base + path, { method: 'POST', body: JSON.stringify(body), signal });
    return { status: res.status, body: await res.json() };
  };
  return {
    post,
    async transcribedCall(tenant = 'acme') {
      const c = new AudioHookClient(gw.clientOptions);
      await c.start();
      const started = await post(controlPath(c.conversationId, 'start'), {
        sessionId: c.sessionId,
        settings: TEST_SETTINGS,
        customerStreamId: 'cs',
        agentStreamId: 'as',
        externalConversationId: c.conversationId,
        tenant,
      });
      if (started.status !== 200) throw new Error(`start answered ${started.status}: ${JSON.stringify(started.body)}`);
      c.sendAudio(new Uint8Array(1_600));
      await c.ping();
      return c;
    },
    stop: (c, signal) => post(controlPath(c.conversationId, 'stop'), { sessionId: c.sessionId }, signal),
  };
}
