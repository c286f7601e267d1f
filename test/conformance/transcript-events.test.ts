import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '#core/domain/participant.ts';
import type { RecognitionListener, RecognitionOptions, RecognitionSession, Recognizer } from '#gateway/recognition/recognizer.ts';
import { AudioHookClient } from '#local/simulator/client.ts';
import { startTestGateway, TEST_SETTINGS, type TestGateway } from '../support/gateway.ts';

/**
 * Transcription Connector events: when a session asks for them (customConfig.transcriptEvents), each
 * final utterance goes back on the AudioHook session as a `transcript` entity (protocol §18), within
 * the sequence rules a strict client checks. The engine here is a stand-in that finalizes one phrase
 * per participant after 0.4 s of audio; the protocol path is what is under test.
 */
class OnePhrasePerSpeaker implements Recognizer {
  open(options: RecognitionOptions, listener: RecognitionListener): RecognitionSession {
    const heard = new Map<Role, number>();
    return {
      write(role, pcm, startSample) {
        const before = heard.get(role) ?? 0;
        heard.set(role, before + pcm.length);
        if (before < 3_200 && before + pcm.length >= 3_200) {
          listener.onResult({
            role,
            text: role === 'customer' ? 'my pin is four eight two one' : 'thank you',
            startMs: startSample / 8,
            endMs: startSample / 8 + 400,
          });
        }
      },
      end: async () => undefined,
    };
    void options;
  }
  async close(): Promise<void> {}
}

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway({ recognizer: new OnePhrasePerSpeaker() });
});
afterAll(async () => {
  await gw.close();
});

describe('transcript events', () => {
  it('sends each final as a transcript entity on the channel of its speaker, redacted, after the first pong', async () => {
    const c = new AudioHookClient({ ...gw.clientOptions, openParameters: { customConfig: { transcriptEvents: true } } });
    await c.start();
    await c.ping();
    gw.server.calls.find(c.conversationId)!.startTranscription({ settings: TEST_SETTINGS });
    for (let i = 0; i < 3; i++) c.sendAudio(new Uint8Array(3_200).fill(0xff));
    await c.ping();
    const events = c.received.filter((m) => m.type === 'event');
    expect(events).toHaveLength(2);
    const entities = events.map((e) => (e.parameters.entities as any[])[0]);
    const customer = entities.find((e) => e.data.channelId === 0);
    expect(customer).toMatchObject({
      type: 'transcript',
      data: {
        isFinal: true,
        offset: 'PT0.2S',
        duration: 'PT0.4S',
        alternatives: [{ languages: ['en-US'], interpretations: [{ type: 'display', transcript: 'My pin is ####.' }] }],
      },
    });
    expect(entities.find((e) => e.data.channelId === 1).data.alternatives[0].interpretations[0].transcript).toBe('Thank you.');
    await c.close();
    expect(c.violations).toEqual([]);
  });

  it('sends none to a Monitor session that did not ask', async () => {
    const c = new AudioHookClient(gw.clientOptions);
    await c.start();
    await c.ping();
    gw.server.calls.find(c.conversationId)!.startTranscription({ settings: TEST_SETTINGS });
    for (let i = 0; i < 3; i++) c.sendAudio(new Uint8Array(3_200).fill(0xff));
    await c.ping();
    await c.close();
    expect(c.received.some((m) => m.type === 'event')).toBe(false);
    expect(gw.utterances.filter((u) => u.conversationId === c.conversationId.toLowerCase())).toHaveLength(2);
  });
});
