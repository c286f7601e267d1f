import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_API_ID, DEV_API_SECRET } from '#local/dev-credentials.ts';
import { startStopApi } from '#local/simulator/control-api.ts';
import { simulateCall } from '#local/simulator/simulate-call.ts';
import { loadCallAudio, type CallAudio } from '#local/simulator/wav-source.ts';
import type { LocalSystem } from '#local/system.ts';
import { audiohookConnection, startTestSystem } from '#test/support/local-system.ts';
import { CUSTOM_VOCABULARIES_PATH, CUSTOM_VOCABULARY_STATUS_PATH } from '#core/contract/routes.ts';
import { TranscribeControlPlane } from '#test/support/transcribe-control-plane.ts';

/**
 * A tenant's custom vocabulary reaching Amazon Transcribe streaming, through the whole local system with
 * RECOGNIZER=transcribe: the API creates the Transcribe vocabulary (a server speaking Transcribe's
 * control-plane protocol stands in for the service), and the gateway's streams name it in
 * StartStreamTranscription (the local streaming stand-in checks and records the header) only once it is
 * READY. Calls before that go without it, and never fail.
 */
let system: LocalSystem;
let plane: TranscribeControlPlane;
let audio: CallAudio;

beforeAll(async () => {
  plane = await TranscribeControlPlane.start();
  delete process.env.AWS_ENDPOINT_URL_TRANSCRIBE_STREAMING;
  system = await startTestSystem({
    RECOGNIZER: 'transcribe',
    TRANSCRIBE_STAND_IN: 'echo',
    TRANSCRIBE_VOCABULARIES: 'true',
    AWS_ENDPOINT_URL_TRANSCRIBE: plane.url,
  });
  // Six seconds of the sample call are enough to open streams.
  const full = loadCallAudio('samples/sample-call.wav');
  audio = { ...full, mulaw: full.mulaw.subarray(0, 8000 * 2 * 6), durationMs: 6000 };
}, 120_000);

afterAll(async () => {
  await system?.stop();
  await plane?.close();
  delete process.env.AWS_ENDPOINT_URL_TRANSCRIBE;
  delete process.env.TRANSCRIBE_VOCABULARIES;
});

const headers = { 'asapp-api-id': DEV_API_ID, 'asapp-api-secret': DEV_API_SECRET, 'content-type': 'application/json' };

async function call(): Promise<Array<string | undefined>> {
  const before = system.transcribeStandIn!.streams.length;
  const api = startStopApi({ baseUrl: system.urls.api, apiId: DEV_API_ID, apiSecret: DEV_API_SECRET });
  await simulateCall({
    ...audiohookConnection(system),
    audio,
    realtime: false,
    afterOpened: async (client) => {
      expect((await api.start({ guid: client.conversationId, customerId: 'C', agentId: 'A' })).status).toBe(200);
    },
    beforeClose: async (client) => {
      expect((await api.stop(client.conversationId)).status).toBe(200);
    },
  });
  const streams = system.transcribeStandIn!.streams.slice(before);
  expect(streams.length).toBeGreaterThan(0);
  for (const stream of streams) expect(stream.rejection).toBeUndefined();
  return streams.map((s) => s.request?.vocabularyName);
}

describe('custom vocabulary in Amazon Transcribe streaming', () => {
  it('names the tenant vocabulary in StartStreamTranscription once it is READY, and not before', async () => {
    const created = await fetch(`${system.urls.api}${CUSTOM_VOCABULARIES_PATH}`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ phrase: 'Zendesk', soundsLike: ['zen desk'] }),
    });
    expect(created.status).toBe(201);
    const status = (await (await fetch(`${system.urls.api}${CUSTOM_VOCABULARY_STATUS_PATH}`, { headers })).json()) as {
      vocabularies: Array<{ language: string; state: string; vocabularyName: string }>;
    };
    const english = status.vocabularies.find((v) => v.language === 'en-US')!;
    expect(english.state).toBe('PENDING');

    // Still building: the call goes without it.
    expect(await call()).toEqual([undefined]);
    plane.build();
    // The gateway learns of READY in the background (a call never waits); the next check is due after 60 s,
    // so this gateway, which looked while it was PENDING, still goes without…
    expect(await call()).toEqual([undefined]);
    // …until its check is due again; then every stream names it.
    await system.gateway.engineVocabulary!.refresh('default');
    expect(await call()).toEqual([english.vocabularyName]);
  }, 120_000);
});
