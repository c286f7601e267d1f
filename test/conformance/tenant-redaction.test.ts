import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlServer } from '#gateway/control-server.ts';
import type { Recognizer } from '#gateway/recognition/recognizer.ts';
import { controlClient, type ControlClient } from '../support/control-client.ts';
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
let client: ControlClient;
beforeAll(async () => {
  gw = await startTestGateway({ recognizer: speaks, env: { TENANT_REDACTION_RULES: JSON.stringify({ acme: { digitRuns: 5 } }) } });
  control = new ControlServer(gw.server.calls);
  client = await controlClient(gw, control);
});
afterAll(async () => {
  await control.close();
  await gw.close();
});

async function spanFor(tenant: string): Promise<void> {
  const c = await client.transcribedCall(tenant);
  expect((await client.stop(c)).status).toBe(200);
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
