import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controlPath } from '#core/api/gateway-control.ts';
import { ControlServer } from '#gateway/control-server.ts';
import type { Recognizer } from '#gateway/recognition/recognizer.ts';
import { AudioHookClient } from '#local/simulator/client.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';

/** TENANT_REDACTION_RULES as the gateway applies it: per the tenant that started the span. */

/** An engine that hears the same sentence from the customer once per span. */
const speaks: Recognizer = {
  open: (_options, listener) => {
    let said = false;
    return {
      write: (role) => {
        if (role !== 'customer' || said) return;
        said = true;
        listener.onResult({ role, text: 'my code is five five five two zero one', startMs: 0, endMs: 1_000 });
      },
      end: async () => undefined,
    };
  },
  close: async () => undefined,
};

let gw: TestGateway;
let control: ControlServer;
let base: string;
beforeAll(async () => {
  gw = await startTestGateway({ recognizer: speaks, env: { TENANT_REDACTION_RULES: JSON.stringify({ acme: { digitRuns: 5 } }) } });
  control = new ControlServer(gw.server.calls);
  base = `http://127.0.0.1:${(await control.listen(0, '127.0.0.1')).port}`;
});
afterAll(async () => {
  await control.close();
  await gw.close();
});

async function spanFor(tenant: string): Promise<void> {
  const c = new AudioHookClient(gw.clientOptions);
  await c.start();
  const post = (action: 'start' | 'stop', body: unknown) =>
    fetch(base + controlPath(c.conversationId, action), { method: 'POST', body: JSON.stringify(body) });
  const settings = {
    language: 'en-US',
    detailedToken: false,
    redactionOutput: 'redacted',
    audioRecordingAllowed: false,
    customerId: 'C',
    agentId: 'A',
  };
  const started = await post('start', {
    sessionId: c.sessionId,
    settings,
    customerStreamId: `${tenant}-c`,
    agentStreamId: `${tenant}-a`,
    externalConversationId: c.conversationId,
    tenant,
  });
  expect(started.status, await started.clone().text()).toBe(200);
  c.sendAudio(new Uint8Array(1_600));
  await c.ping();
  expect((await post('stop', { sessionId: c.sessionId })).status).toBe(200);
  await c.close();
}

describe('tenant redaction rules in the gateway', () => {
  it('mask a 6-digit run for the tenant that asked, and leave other tenants on the defaults', async () => {
    await spanFor('acme');
    await spanFor('other');
    const text = (tenant: string) => gw.utterances.find((u) => u.tenant === tenant)?.maskedText;
    expect(text('acme')).toBe('My code is ######.');
    expect(text('other')).toBe('My code is 555201.');
  });
});
