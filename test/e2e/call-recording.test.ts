import wavefile from 'wavefile';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeMulaw } from '#gateway/audio/mulaw.ts';
import { DEV_API_ID, DEV_API_SECRET } from '#local/dev-credentials.ts';
import { startStopApi } from '#local/simulator/control-api.ts';
import { simulateCall } from '#local/simulator/simulate-call.ts';
import { loadCallAudio, type CallAudio } from '#local/simulator/wav-source.ts';
import type { LocalSystem } from '#local/system.ts';
import { audiohookConnection, startTestSystem } from '#test/support/local-system.ts';

/**
 * Call recording through the system as `npm start` runs it: the bundled sample call is streamed by a
 * Genesys-like client with a secure pause in the middle, start-streaming asks for a recording, and
 * the recording is fetched the way a customer would (the recordings route, then its presigned URL).
 * Every sample of the downloaded WAV is the decoded µ-law that went over the WebSocket, customer left
 * and agent right, on the call's timeline (the pause silent).
 */
const { WaveFile } = wavefile;

let system: LocalSystem;
let audio: CallAudio;

beforeAll(async () => {
  system = await startTestSystem({
    // Recording does not depend on recognition; the counting engine keeps this test light.
    RECOGNIZER: 'none',
  });
  audio = loadCallAudio('samples/sample-call.wav');
}, 60_000);

afterAll(async () => {
  await system?.stop();
});

const api = () => startStopApi({ baseUrl: system.urls.api, apiId: DEV_API_ID, apiSecret: DEV_API_SECRET });
const credentials = { 'asapp-api-id': DEV_API_ID, 'asapp-api-secret': DEV_API_SECRET };

interface RecordingItem {
  recordingId: string;
  customerStreamId: string;
  agentStreamId: string;
  startTimestamp: string;
  offsetMs: number;
  durationMs: number;
  sizeBytes: number;
  url: string;
  urlExpiresAt: string;
}

async function recordingsOf(guid: string, headers: Record<string, string> = credentials) {
  const res = await fetch(`${system.urls.api}/conversation/v1/conversation/recordings?externalId=${encodeURIComponent(guid)}`, { headers });
  return { status: res.status, body: (await res.json()) as { items: RecordingItem[]; error?: { code: string } } };
}

async function call(options: { record: boolean; pauses?: Array<{ atMs: number; durationMs: number }> }) {
  let start: { status: number; body: any } | undefined;
  const result = await simulateCall({
    ...audiohookConnection(system),
    audio,
    realtime: false,
    pauses: options.pauses,
    afterOpened: async (client) => {
      start = await api().start({ guid: client.conversationId, customerId: 'C', agentId: 'A', audioRecordingAllowed: options.record });
    },
    beforeClose: async (client) => {
      expect((await api().stop(client.conversationId)).status).toBe(200);
    },
  });
  expect(result.violations).toEqual([]);
  expect(start?.status).toBe(200);
  return { guid: result.client.conversationId, start: start!.body.autotranscribeResponse };
}

describe('call recording', () => {
  it('records a span as one stereo WAV, downloadable with a presigned URL, whose samples are what was sent', async () => {
    const pause = { atMs: 6_000, durationMs: 2_000 };
    const { guid, start } = await call({ record: true, pauses: [pause] });
    const listed = await recordingsOf(guid);
    expect(listed.status).toBe(200);
    expect(listed.body.items).toHaveLength(1);
    const [item] = listed.body.items;
    expect(Object.keys(item)).toEqual([
      'recordingId',
      'customerStreamId',
      'agentStreamId',
      'startTimestamp',
      'offsetMs',
      'durationMs',
      'sizeBytes',
      'url',
      'urlExpiresAt',
    ]);
    expect(item).toMatchObject({ customerStreamId: start.customer.streamId, agentStreamId: start.agent.streamId, offsetMs: 0 });
    expect(Date.parse(item.urlExpiresAt) - Date.now()).toBeGreaterThan(800_000);

    const download = await fetch(item.url);
    expect(download.status).toBe(200);
    const bytes = Buffer.from(await download.arrayBuffer());
    expect(bytes.length).toBe(item.sizeBytes);
    const wav = new WaveFile(bytes);
    expect(wav.fmt).toMatchObject({ audioFormat: 1, numChannels: 2, sampleRate: 8000, bitsPerSample: 16 });
    const recorded = new Int16Array(bytes.buffer.slice(bytes.byteOffset + 44, bytes.byteOffset + bytes.length));

    // What went over the wire, decoded, per channel; the pause (frames never sent) is silence.
    const sent = decodeMulaw(audio.mulaw);
    const frames = sent.length / 2;
    expect(recorded.length).toBe(sent.length);
    expect(item.durationMs).toBe(Math.floor(frames / 8));
    const paused = (i: number) => i >= pause.atMs * 8 && i < (pause.atMs + pause.durationMs) * 8;
    let mismatches = 0;
    let silentInPause = 0;
    for (let i = 0; i < frames; i++) {
      const [left, right] = paused(i) ? [0, 0] : [sent[2 * i], sent[2 * i + 1]];
      if (recorded[2 * i] !== left || recorded[2 * i + 1] !== right) mismatches++;
      if (paused(i)) silentInPause++;
    }
    expect(silentInPause).toBe(pause.durationMs * 8);
    expect(mismatches).toBe(0);
    // Both parties spoke: neither channel is silent outside the pause.
    expect(recorded.some((s, i) => i % 2 === 0 && s !== 0)).toBe(true);
    expect(recorded.some((s, i) => i % 2 === 1 && s !== 0)).toBe(true);
  }, 120_000);

  it('records nothing when the start does not ask for it', async () => {
    const { guid } = await call({ record: false });
    expect((await recordingsOf(guid)).body).toEqual({ items: [] });
  }, 120_000);

  it('answers the route with the API envelope: credentials required, externalId validated', async () => {
    const unauthenticated = await recordingsOf('abc', {});
    expect(unauthenticated.status).toBe(401);
    expect(unauthenticated.body.error?.code).toBe('401-01');
    const res = await fetch(`${system.urls.api}/conversation/v1/conversation/recordings/`, { headers: credentials });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('400-01');
    expect((await recordingsOf('never-called')).body).toEqual({ items: [] });
  });
});
