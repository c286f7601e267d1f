import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebhookBody } from '#core/webhook/body.ts';
import { DEV_API_ID, DEV_API_SECRET } from '#local/dev-credentials.ts';
import { startStopApi } from '#local/simulator/control-api.ts';
import { simulateCall } from '#local/simulator/simulate-call.ts';
import { loadCallAudio, type CallAudio } from '#local/simulator/wav-source.ts';
import type { LocalSystem } from '#local/system.ts';
import { audiohookConnection, EMBEDDED_EXACT, startTestSystem } from '#test/support/local-system.ts';

/**
 * The system as `npm start` runs it (stand-ins, gateway with the embedded engine, API, queue poller,
 * built-in webhook receiver), driven like production: a Genesys-like client streams the bundled sample
 * call, a CTI-like client calls start/stop, and everything the customer sees is checked.
 */

interface Turn {
  role: 'customer' | 'agent';
  startMs: number;
  endMs: number;
  text: string;
}
const reference = JSON.parse(readFileSync('samples/sample-call.json', 'utf8')) as { turns: Turn[]; durationMs: number };

let system: LocalSystem;
let audio: CallAudio;
const printed: string[] = [];

beforeAll(async () => {
  system = await startTestSystem(EMBEDDED_EXACT, { print: (line) => printed.push(line) });
  audio = loadCallAudio('samples/sample-call.wav');
}, 60_000);

afterAll(async () => {
  await system?.stop();
});

const api = () => startStopApi({ baseUrl: system.urls.api, apiId: DEV_API_ID, apiSecret: DEV_API_SECRET });
const callOptions = () => ({
  ...audiohookConnection(system),
  speed: 2,
});

async function getMessages(guid: string) {
  const res = await fetch(`${system.urls.api}/conversation/v1/conversation/messages?externalId=${guid}`, {
    headers: { 'asapp-api-id': DEV_API_ID, 'asapp-api-secret': DEV_API_SECRET },
  });
  return {
    status: res.status,
    body: (await res.json()) as {
      items: Array<{
        text: string;
        sender: { role: string; externalId: string };
        messageId: string;
        createdTimestamp: string;
        clientTimestamp: string;
      }>;
    },
  };
}

const deliveredFor = (guid: string): WebhookBody[] => system.receiver!.received.filter((b) => b.externalConversationId === guid);

describe('a call through the whole local system', () => {
  it('transcribes the sample call: start, utterances stored, delivered by webhook, stop summary, GET', async () => {
    let start: { status: number; body: any } | undefined;
    let stop: { status: number; body: any } | undefined;
    const result = await simulateCall({
      ...callOptions(),
      audio,
      afterOpened: async (client) => {
        start = await api().start({ guid: client.conversationId, customerId: 'CUST-7', agentId: 'AGENT-3' });
      },
      beforeClose: async (client) => {
        stop = await api().stop(client.conversationId);
      },
    });
    const guid = result.client.conversationId;
    expect(result.violations).toEqual([]);
    expect(start?.status).toBe(200);
    expect(start?.body.isOk).toBe(true);
    const { customer, agent } = start!.body.autotranscribeResponse;

    // Stop summary: every sample after start went to recognition, 16 bytes per ms.
    expect(stop?.status).toBe(200);
    const summary = stop!.body.autotranscribeResponse;
    for (const role of ['customer', 'agent'] as const) {
      expect(summary[role].streamId).toBe(start!.body.autotranscribeResponse[role].streamId);
      expect(summary[role].summary.totalAudioBytes).toBe((audio.mulaw.length / 2) * 2);
      expect(summary[role].summary.audioDurationMs).toBe(summary[role].summary.totalAudioBytes / 16);
    }
    const transcripts = summary.customer.summary.transcripts + summary.agent.summary.transcripts;
    expect(summary.customer.summary.transcripts).toBeGreaterThanOrEqual(5);
    expect(summary.agent.summary.transcripts).toBeGreaterThanOrEqual(5);

    // Webhook: every utterance, exact body shape, the right stream ids, in order per participant.
    await expect.poll(() => deliveredFor(guid).length, { timeout: 10_000 }).toBe(transcripts);
    const bodies = deliveredFor(guid);
    for (const body of bodies) {
      expect(Object.keys(body)).toEqual(['type', 'externalConversationId', 'streamId', 'sender', 'autotranscribeResponse']);
      expect(Object.keys(body.autotranscribeResponse)).toEqual(['message', 'start', 'end', 'utterance']);
      expect(body.type).toBe('transcript');
      expect(body.autotranscribeResponse.utterance).toHaveLength(1);
      const expected =
        body.sender.role === 'customer' ? { id: 'CUST-7', stream: customer.streamId } : { id: 'AGENT-3', stream: agent.streamId };
      expect(body.sender.externalId).toBe(expected.id);
      expect(body.streamId).toBe(expected.stream);
      expect(body.autotranscribeResponse.end).toBeGreaterThan(body.autotranscribeResponse.start);
      expect(body.autotranscribeResponse.end).toBeLessThanOrEqual(reference.durationMs + 500);
    }
    for (const role of ['customer', 'agent']) {
      const starts = bodies.filter((b) => b.sender.role === role).map((b) => b.autotranscribeResponse.start);
      expect(starts).toEqual([...starts].sort((a, b) => a - b));
    }
    // Each utterance lies on a reference turn of the same speaker (timeline and roles are right).
    for (const body of bodies) {
      const { start, end } = body.autotranscribeResponse;
      const turn = reference.turns.find((t) => t.role === body.sender.role && start >= t.startMs - 800 && end <= t.endMs + 800);
      expect(turn, `${body.sender.role} ${start}-${end}`).toBeDefined();
    }
    // Redaction (on by default): the card number turn leaves no run of 3+ digits.
    const cardTurn = reference.turns.find((t) => t.text.startsWith('4532'))!;
    const cardBodies = bodies.filter(
      (b) => b.autotranscribeResponse.start >= cardTurn.startMs - 800 && b.autotranscribeResponse.end <= cardTurn.endMs + 800,
    );
    expect(cardBodies.length).toBeGreaterThan(0);
    for (const b of cardBodies) expect(b.autotranscribeResponse.utterance[0].text).not.toMatch(/\d{3}/);
    expect(printed.some((line) => line.includes(guid.slice(0, 8)))).toBe(true);

    // After-call GET: the same utterances, oldest first, masked, with ULIDs and timestamps.
    const messages = await getMessages(guid);
    expect(messages.status).toBe(200);
    expect(messages.body.items).toHaveLength(transcripts);
    const items = messages.body.items;
    expect(items.map((i) => i.clientTimestamp)).toEqual([...items.map((i) => i.clientTimestamp)].sort());
    for (const item of items) {
      expect(item.messageId).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
      expect(['customer', 'agent']).toContain(item.sender.role);
      expect(item.sender.externalId).toBe(item.sender.role === 'customer' ? 'CUST-7' : 'AGENT-3');
      // clientTimestamp is audio position zero + start: at 2x speed it may lie ahead of createdTimestamp.
      expect(new Date(item.clientTimestamp).toISOString()).toBe(item.clientTimestamp);
      expect(new Date(item.createdTimestamp).toISOString()).toBe(item.createdTimestamp);
    }
    expect(new Set(items.map((i) => i.text))).toEqual(new Set(bodies.map((b) => b.autotranscribeResponse.utterance[0].text)));
  }, 120_000);

  it('keeps the timeline across stop/start/stop, with new stream ids and counters per span', async () => {
    const half = Math.floor(audio.mulaw.length / 4) * 2;
    const firstHalf: CallAudio = { ...audio, mulaw: audio.mulaw.subarray(0, half), durationMs: half / 16 };
    let guid = '';
    const spans: any[] = [];
    await simulateCall({
      ...callOptions(),
      audio: firstHalf,
      afterOpened: async (client) => {
        guid = client.conversationId;
        spans.push((await api().start({ guid, customerId: 'C', agentId: 'A', redactionOutput: 'unredacted' })).body);
      },
      beforeClose: async (client) => {
        spans.push((await api().stop(guid)).body);
        expect((await api().stop(guid)).status).toBe(409);
        spans.push((await api().start({ guid, customerId: 'C', agentId: 'A2' })).body);
        // The rest of the call, after the second start.
        const rest = audio.mulaw.subarray(half);
        for (let i = 0; i < rest.length; i += 3_200) {
          client.sendAudio(rest.subarray(i, i + 3_200));
          await new Promise((r) => setTimeout(r, 100)); // 200 ms of audio at 2x real time
        }
        await client.ping();
        spans.push((await api().stop(guid)).body);
      },
    });
    const [start1, stop1, start2, stop2] = spans;
    expect(start1.isOk && stop1.isOk && start2.isOk && stop2.isOk).toBe(true);
    expect(start2.autotranscribeResponse.customer.streamId).not.toBe(start1.autotranscribeResponse.customer.streamId);
    const bytes1 = stop1.autotranscribeResponse.customer.summary.totalAudioBytes;
    const bytes2 = stop2.autotranscribeResponse.customer.summary.totalAudioBytes;
    expect(bytes1 + bytes2).toBe(audio.mulaw.length);

    await expect
      .poll(() => deliveredFor(guid).length, { timeout: 10_000 })
      .toBe(
        stop1.autotranscribeResponse.customer.summary.transcripts +
          stop1.autotranscribeResponse.agent.summary.transcripts +
          stop2.autotranscribeResponse.customer.summary.transcripts +
          stop2.autotranscribeResponse.agent.summary.transcripts,
      );
    const secondSpan = deliveredFor(guid).filter(
      (b) => b.streamId === start2.autotranscribeResponse.customer.streamId || b.streamId === start2.autotranscribeResponse.agent.streamId,
    );
    expect(secondSpan.length).toBeGreaterThan(0);
    // The second span transcribed the rest of the call, up to its last turn.
    expect(Math.max(...secondSpan.map((b) => b.autotranscribeResponse.start))).toBeGreaterThan(reference.turns.at(-1)!.startMs - 1_000);
    // Offsets keep counting from the session's audio start, not from the second start.
    for (const b of secondSpan) expect(b.autotranscribeResponse.start).toBeGreaterThanOrEqual(half / 2 / 8 - 500);
    // The agent id of the second start applies to later agent utterances; the first span was unredacted.
    expect(secondSpan.filter((b) => b.sender.role === 'agent').every((b) => b.sender.externalId === 'A2')).toBe(true);
  }, 120_000);

  it('answers isOk false with 4050 per participant for a language the engine lacks, and leaves nothing running', async () => {
    const { AudioHookClient } = await import('#local/simulator/client.ts');
    const client = new AudioHookClient(callOptions());
    await client.start();
    const guid = client.conversationId;
    let started = await api().start({ guid, customerId: 'C', agentId: 'A', language: 'es-US' });
    // The session registration lands just after `opened`; the contract has the caller retry 400-203.
    for (let i = 0; i < 20 && started.status === 400; i++) {
      await new Promise((r) => setTimeout(r, 100));
      started = await api().start({ guid, customerId: 'C', agentId: 'A', language: 'es-US' });
    }
    expect(started.status).toBe(200);
    const body = started.body as any;
    expect(body.isOk).toBe(false);
    expect(body.autotranscribeResponse.customer.status).toEqual({ code: 4050, description: 'Language not supported' });
    expect(body.autotranscribeResponse.agent.status.code).toBe(4050);
    expect(typeof body.errorMessage).toBe('string');
    const retried = await api().start({ guid, customerId: 'C', agentId: 'A', language: 'en-US' });
    expect((retried.body as any).isOk).toBe(true);
    await client.close();
  });

  it('answers 400-203 for a conversation with no AudioHook session, and for a probe', async () => {
    const unknown = await api().start({ guid: '11111111-2222-4333-8444-555555555555', customerId: 'C', agentId: 'A' });
    expect(unknown.status).toBe(400);
    expect((unknown.body as any).error.code).toBe('400-203');
    const probe = await api().start({ guid: '00000000-0000-0000-0000-000000000000', customerId: 'C', agentId: 'A' });
    expect((probe.body as any).error.code).toBe('400-203');
  });
});
