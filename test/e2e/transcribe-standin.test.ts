import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebhookBody } from '#core/webhook/body.ts';
import { createTranscribeRecognizer } from '#gateway/recognition/transcribe/transcribe-recognizer.ts';
import { DEV_API_ID, DEV_API_SECRET } from '#local/dev-credentials.ts';
import { AudioHookClient } from '#local/simulator/client.ts';
import { startStopApi } from '#local/simulator/control-api.ts';
import { loadCallAudio, type CallAudio } from '#local/simulator/wav-source.ts';
import type { LocalSystem } from '#local/system.ts';
import { audiohookConnection, startTestSystem } from '#test/support/local-system.ts';
import type { StandInFault, StreamRecord } from '#local/transcribe-standin/server.ts';

/**
 * The production engine end to end: the whole local system with RECOGNIZER=transcribe — the gateway's
 * real Transcribe recognizer and the real AWS SDK (SigV4, HTTP/2, event-stream) — against the local
 * Transcribe streaming stand-in, which answers with the embedded engine's results. Calls are played
 * like Genesys plays them and checked by what the customer's webhook receives.
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
/** Added to the recognizer's clock: jumping it ahead makes the next audio rotate the stream. */
let clockOffsetMs = 0;

beforeAll(async () => {
  delete process.env.AWS_ENDPOINT_URL_TRANSCRIBE_STREAMING;
  system = await startTestSystem(
    {
      EMBEDDED_DECODERS: '2',
      RECOGNIZER: 'transcribe',
      TRANSCRIBE_STAND_IN: 'engine',
      FLUSH_BUDGET_MS: '60000',
      CONTROL_STOP_TIMEOUT_MS: '70000',
    },
    {
      // The production recognizer; only its waits are widened so a loaded machine cannot cut the last finals.
      recognizer: createTranscribeRecognizer({ endTimeoutMs: 60_000, now: () => Date.now() + clockOffsetMs }),
    },
  );
  audio = loadCallAudio('samples/sample-call.wav');
}, 120_000);

afterAll(async () => {
  await system?.stop();
});

const api = () => startStopApi({ baseUrl: system.urls.api, apiId: DEV_API_ID, apiSecret: DEV_API_SECRET });
const deliveredFor = (guid: string): WebhookBody[] => system.receiver!.received.filter((b) => b.externalConversationId === guid);
const standIn = () => system.transcribeStandIn!;

type Step =
  | { at: number; do: 'start' | 'stop' }
  | { at: number; do: 'pause' | 'discard'; forMs: number }
  | { at: number; do: 'clock-jump' }
  | { at: number; do: 'fault'; fault: StandInFault };

interface PlayedCall {
  guid: string;
  responses: Array<{ step: string; status: number; body: any }>;
  streams: StreamRecord[];
}

const SPEED = 2;
const FRAME_MS = 200;

/**
 * Plays the sample call in real time × SPEED as Genesys does (stereo PCMU frames, pings), running each
 * step when the call position reaches it: start/stop-streaming, a client pause (the audio is skipped and
 * `resumed` reports it discarded), a `discarded` gap, a fault queued on the stand-in, a clock jump.
 */
async function playCall(steps: Step[]): Promise<PlayedCall> {
  const first = standIn().streams.length;
  const client = new AudioHookClient({
    ...audiohookConnection(system),
  });
  const opened = await client.start();
  expect(opened.type).toBe('opened');
  client.startPinging(5_000 / SPEED);
  const guid = client.conversationId;
  const responses: PlayedCall['responses'] = [];
  const pending = [...steps].sort((a, b) => a.at - b.at);
  const totalMs = Math.floor(audio.mulaw.length / 2 / 8);
  let began = performance.now();
  let skipUntil = -1;
  let pausedMs: number | undefined;
  for (let atMs = 0; atMs < totalMs; atMs += FRAME_MS) {
    while (pending.length > 0 && pending[0].at <= atMs) {
      const step = pending.shift()!;
      switch (step.do) {
        case 'start': {
          let res = await api().start({ guid, customerId: 'CUST-1', agentId: 'AGENT-1' });
          // The session registration lands just after `opened`; the contract has the caller retry 400-203.
          for (let i = 0; i < 20 && res.status === 400; i++) {
            await sleep(100);
            res = await api().start({ guid, customerId: 'CUST-1', agentId: 'AGENT-1' });
          }
          responses.push({ step: `start@${atMs}`, ...res });
          break;
        }
        case 'stop':
          responses.push({ step: `stop@${atMs}`, ...(await api().stop(guid)) });
          break;
        case 'pause':
          client.sendPaused();
          skipUntil = atMs + step.forMs;
          pausedMs = step.forMs;
          // A pause is felt in wall-clock time: held at least as long as at normal speed.
          await sleep(step.forMs - step.forMs / SPEED);
          began += step.forMs - step.forMs / SPEED;
          break;
        case 'discard':
          client.sendDiscarded(step.forMs / 1000);
          skipUntil = atMs + step.forMs;
          break;
        case 'clock-jump':
          clockOffsetMs += 5 * 3_600_000;
          break;
        case 'fault':
          standIn().injectFault(step.fault);
          break;
      }
    }
    if (atMs >= skipUntil) {
      if (pausedMs !== undefined) client.sendResumed(pausedMs / 1000);
      pausedMs = undefined;
      client.sendAudio(audio.mulaw.subarray(atMs * 16, Math.min(audio.mulaw.length, (atMs + FRAME_MS) * 16)));
    }
    const wait = began + (atMs + FRAME_MS) / SPEED - performance.now();
    if (wait > 0) await sleep(wait);
  }
  for (const step of pending) if (step.do === 'stop') responses.push({ step: 'stop@end', ...(await api().stop(guid)) });
  await client.ping();
  await client.close('end');
  expect(client.violations).toEqual([]);
  return { guid, responses, streams: standIn().streams.slice(first) };
}

/** The reference turn a delivered utterance lies on (same speaker, within 800 ms at both ends). */
function turnOf(body: WebhookBody): Turn | undefined {
  const { start, end } = body.autotranscribeResponse;
  return reference.turns.find((t) => t.role === body.sender.role && start >= t.startMs - 800 && end <= t.endMs + 800);
}

const turnsStartingIn = (fromMs: number, toMs: number) => reference.turns.filter((t) => t.startMs >= fromMs && t.endMs <= toMs);

async function deliveredCount(guid: string, stops: Array<{ body: any }>): Promise<WebhookBody[]> {
  const expected = stops.reduce(
    (n, s) => n + s.body.autotranscribeResponse.customer.summary.transcripts + s.body.autotranscribeResponse.agent.summary.transcripts,
    0,
  );
  await expect.poll(() => deliveredFor(guid).length, { timeout: 15_000 }).toBe(expected);
  return deliveredFor(guid);
}

describe('RECOGNIZER=transcribe against the local Transcribe streaming service', () => {
  it('start, stop, start again, a pause and a discarded gap: the right audio is transcribed, on the call timeline', async () => {
    // Boundaries sit in silences between turns: stopped 14.0–19.3 s (a customer turn is not transcribed),
    // paused 28.4–35.1 s (an agent turn is never sent; the pause outlasts the idle grace, so the stream
    // is ended and a new one opened), 0.8 s discarded at 43.8 s.
    const call = await playCall([
      { at: 0, do: 'start' },
      { at: 14_000, do: 'stop' },
      { at: 19_400, do: 'start' },
      { at: 28_400, do: 'pause', forMs: 6_800 },
      { at: 43_800, do: 'discard', forMs: 800 },
      { at: 60_000, do: 'stop' },
    ]);
    const [start1, stop1, start2, stop2] = call.responses;
    for (const r of call.responses) expect(r.status, r.step).toBe(200);
    for (const r of call.responses) expect(r.body.isOk, r.step).toBe(true);
    for (const role of ['customer', 'agent'] as const) {
      expect(stop1.body.autotranscribeResponse[role].status.code).toBe(1000);
      expect(stop2.body.autotranscribeResponse[role].status.code).toBe(1000);
      expect(start2.body.autotranscribeResponse[role].streamId).not.toBe(start1.body.autotranscribeResponse[role].streamId);
      // 16 bytes of PCM per ms per participant: 14 s in the first span, the rest less the pause and the gap.
      expect(stop1.body.autotranscribeResponse[role].summary.totalAudioBytes).toBe(14_000 * 16);
      const secondMs = Math.floor(audio.mulaw.length / 16) - 19_400 - 6_800 - 800;
      expect(Math.abs(stop2.body.autotranscribeResponse[role].summary.totalAudioBytes - secondMs * 16)).toBeLessThanOrEqual(FRAME_MS * 16);
    }

    const bodies = await deliveredCount(call.guid, [stop1, stop2]);
    for (const body of bodies) {
      expect(Object.keys(body)).toEqual(['type', 'externalConversationId', 'streamId', 'sender', 'autotranscribeResponse']);
      expect(body.autotranscribeResponse.utterance).toHaveLength(1);
      expect(turnOf(body), `${body.sender.role} ${body.autotranscribeResponse.start}–${body.autotranscribeResponse.end}`).toBeDefined();
      const span = body.autotranscribeResponse.start < 14_000 ? start1 : start2;
      expect(body.streamId).toBe(span.body.autotranscribeResponse[body.sender.role].streamId);
    }
    // Nothing from the stopped time or the pause; every turn of the transcribed time arrived.
    const heard = new Set(bodies.map(turnOf));
    for (const turn of turnsStartingIn(14_000, 19_400)) expect(heard.has(turn), turn.text).toBe(false);
    for (const turn of turnsStartingIn(28_400, 35_200)) expect(heard.has(turn), turn.text).toBe(false);
    for (const turn of [...turnsStartingIn(0, 14_000), ...turnsStartingIn(19_400, 28_400), ...turnsStartingIn(35_200, 60_000)]) {
      expect(heard.has(turn), turn.text).toBe(true);
    }

    // The wire: one stereo stream per stretch of audio, each ended by the client with the end frame,
    // never by the service's 15 s idle timeout.
    expect(call.streams.length).toBeGreaterThanOrEqual(3);
    for (const stream of call.streams) {
      expect(stream.outcome).toBe('completed');
      expect(stream.endFrameReceived).toBe(true);
      expect(stream.request).toMatchObject({
        languageCode: 'en-US',
        sampleRate: 8000,
        mediaEncoding: 'pcm',
        channels: 2,
        contentIdentification: 'PII',
      });
      expect(stream.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=local\/\d{8}\/us-east-1\/transcribe\/aws4_request/);
    }
    expect(new Set(call.streams.map((s) => s.request!.sessionId)).size).toBe(call.streams.length);
    expect(call.streams.reduce((n, s) => n + s.partials, 0)).toBeGreaterThan(0);
  }, 240_000);

  it('reports a quota error (LimitExceededException) as status 5002 and sends no utterance', async () => {
    const call = await playCall([
      { at: 0, do: 'fault', fault: { kind: 'exception', exception: 'LimitExceededException' } },
      { at: 0, do: 'start' },
      { at: 10_000, do: 'stop' },
    ]);
    const [start, stop] = call.responses;
    expect(start.body.isOk).toBe(true);
    expect(stop.status).toBe(200);
    for (const role of ['customer', 'agent'] as const) {
      expect(stop.body.autotranscribeResponse[role].status).toEqual({ code: 5002, description: 'No instances available' });
    }
    // Not retried: the quota answer is final for the span.
    expect(call.streams.map((s) => s.outcome)).toEqual(['exception']);
    await sleep(500);
    expect(deliveredFor(call.guid)).toEqual([]);
  }, 120_000);

  it('recovers from a stream reset mid-call: a new stream carries on and the later turns arrive on time', async () => {
    const call = await playCall([
      { at: 0, do: 'fault', fault: { kind: 'reset', afterAudioMs: 13_800 } },
      { at: 0, do: 'start' },
      { at: 40_200, do: 'stop' },
    ]);
    const [, stop] = call.responses;
    for (const role of ['customer', 'agent'] as const) expect(stop.body.autotranscribeResponse[role].status.code).toBe(1000);
    expect(call.streams[0].outcome).toBe('reset');
    expect(call.streams.length).toBeGreaterThanOrEqual(2);
    expect(call.streams.at(-1)!.outcome).toBe('completed');
    const bodies = await deliveredCount(call.guid, [stop]);
    for (const body of bodies) expect(turnOf(body)).toBeDefined();
    const heard = new Set(bodies.map(turnOf));
    for (const turn of turnsStartingIn(14_000, 40_200)) expect(heard.has(turn), turn.text).toBe(true);
  }, 120_000);

  it('rotates a stream that reached its duration limit without losing a turn or shifting the timeline', async () => {
    const call = await playCall([
      { at: 0, do: 'start' },
      { at: 14_000, do: 'clock-jump' },
      { at: 40_200, do: 'stop' },
    ]);
    const [, stop] = call.responses;
    for (const role of ['customer', 'agent'] as const) expect(stop.body.autotranscribeResponse[role].status.code).toBe(1000);
    expect(call.streams.length).toBe(2);
    expect(call.streams.map((s) => s.outcome)).toEqual(['completed', 'completed']);
    const bodies = await deliveredCount(call.guid, [stop]);
    for (const body of bodies) expect(turnOf(body), `${body.sender.role} ${body.autotranscribeResponse.start}`).toBeDefined();
    const heard = new Set(bodies.map(turnOf));
    for (const turn of turnsStartingIn(0, 40_200)) expect(heard.has(turn), turn.text).toBe(true);
  }, 120_000);
});
