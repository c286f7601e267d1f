import { describe, expect, it } from 'vitest';
import type { Role } from '#core/domain/participant.ts';
import type { Utterance } from '#core/domain/utterance.ts';
import { logger } from '#core/logger.ts';
import { DEFAULT_REDACTION } from '#core/text/pipeline.ts';
import { RecognitionError, type RecognitionListener, type Recognizer } from '#gateway/recognition/recognizer.ts';
import { TranscriptionSpan } from '#gateway/utterances/span.ts';

/** A start→stop span: counters, the error policy per participant, utterance records, the flush budget. */

function engine(onWrite: (listener: RecognitionListener, role: Role, samples: number, startSample: number) => void, endDelayMs = 0) {
  const written: Record<Role, number> = { customer: 0, agent: 0 };
  const recognizer: Recognizer = {
    open: (_o, listener) => ({
      write(role, pcm, startSample) {
        written[role] += pcm.length;
        onWrite(listener, role, written[role], startSample);
      },
      end: () => new Promise((r) => setTimeout(r, endDelayMs)),
    }),
    close: async () => undefined,
  };
  return { recognizer, written };
}

function span(recognizer: Recognizer, records: Utterance[], options: { flushBudgetMs?: number; present?: Role[] } = {}) {
  return new TranscriptionSpan({
    conversationId: 'conv',
    externalConversationId: 'CONV',
    streamIds: { customer: 'cs', agent: 'as' },
    language: 'en-US',
    settings: {
      language: 'en-US',
      detailedToken: false,
      redactionOutput: 'redacted',
      audioRecordingAllowed: false,
      customerId: 'C',
      agentId: 'A',
    },
    presentRoles: options.present ?? ['customer', 'agent'],
    recognizer,
    sink: { record: async (u) => void records.push(u) },
    audioEpochMs: Date.parse('2026-11-24T10:00:00.000Z'),
    tenant: 'acme',
    redaction: DEFAULT_REDACTION,
    logger,
    flushBudgetMs: options.flushBudgetMs,
  });
}

describe('TranscriptionSpan', () => {
  it('keeps a speaker after a lost segment (5000) and reports the code at stop', async () => {
    const { recognizer, written } = engine((listener, role, samples) => {
      if (role === 'customer' && samples === 800) listener.onError('customer', new RecognitionError(5000, 'segment lost'));
    });
    const s = span(recognizer, []);
    for (let i = 0; i < 4; i++) s.write('customer', new Int16Array(800), i * 800);
    const report = await s.end();
    expect(written.customer).toBe(3_200);
    expect(report.customer.status).toEqual({ code: 5000, description: 'Internal service error' });
    expect(report.customer.summary.totalAudioBytes).toBe(6_400);
  });

  it('stops forwarding a speaker whose language is unsupported (4050)', async () => {
    const { recognizer, written } = engine((listener, role, samples) => {
      if (role === 'agent' && samples === 800) listener.onError('agent', new RecognitionError(4050, 'no model'));
    });
    const s = span(recognizer, []);
    for (let i = 0; i < 3; i++) s.write('agent', new Int16Array(800), i * 800);
    const report = await s.end();
    expect(written.agent).toBe(800);
    expect(report.agent.status.code).toBe(4050);
  });

  it('records each final with ids, roles, timeline and redaction, and counts it', async () => {
    const records: Utterance[] = [];
    const { recognizer } = engine((listener, role, _samples, startSample) => {
      listener.onResult({
        role,
        text: 'my card is four five three two seven seven one eight zero nine two six three three one four',
        startMs: startSample / 8,
        endMs: startSample / 8 + 1_500,
      });
    });
    const s = span(recognizer, records);
    s.write('customer', new Int16Array(800), 16_000);
    const report = await s.end();
    expect(report.customer.summary.transcripts).toBe(1);
    expect(records[0]).toMatchObject({
      conversationId: 'conv',
      externalConversationId: 'CONV',
      streamId: 'cs',
      role: 'customer',
      externalId: 'C',
      startMs: 2_000,
      endMs: 3_500,
      maskedText: 'My card is ################.',
      rawText: 'My card is 4532771809263314.',
      clientTimestamp: '2026-11-24T10:00:02.000Z',
      tenant: 'acme',
    });
    expect(records[0].messageId).toMatch(/^[0-9A-Z]{26}$/);
  });

  it('answers within the flush budget and still records what arrives later', async () => {
    const records: Utterance[] = [];
    let listener: RecognitionListener | undefined;
    const { recognizer } = engine((l) => (listener = l), 300);
    const s = span(recognizer, records, { flushBudgetMs: 50 });
    s.write('agent', new Int16Array(800), 0);
    const report = await s.end();
    expect(report.agent.summary.transcripts).toBe(0);
    listener!.onResult({ role: 'agent', text: 'thank you', startMs: 0, endMs: 400 });
    await expect.poll(() => records.length).toBe(1);
  });

  it('reports an absent channel as 4080 with zero counters', async () => {
    const { recognizer } = engine(() => undefined);
    const report = await span(recognizer, [], { present: ['customer'] }).end();
    expect(report.agent).toEqual({
      streamId: 'as',
      status: { code: 4080, description: 'Unable to transcribe the audio' },
      summary: { totalAudioBytes: 0, audioDurationMs: 0, streamingSeconds: 0, transcripts: 0 },
    });
  });
});
