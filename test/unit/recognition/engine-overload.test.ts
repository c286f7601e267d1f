import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Role } from '#core/domain/participant.ts';
import type { Utterance } from '#core/domain/utterance.ts';
import { logger } from '#core/logger.ts';
import { DEFAULT_REDACTION } from '#core/text/pipeline.ts';
import type { EmbeddedRecognizer } from '#gateway/recognition/embedded/embedded-recognizer.ts';
import { createEmbeddedRecognizer } from '#gateway/recognition/embedded/embedded-recognizer.ts';
import { GATEWAY_METRIC, GATEWAY_SERVICE_NAME } from '#gateway/metrics/metric-names.ts';
import { TranscriptionSpan } from '#gateway/utterances/span.ts';
import { TEST_SETTINGS } from '#test/support/gateway.ts';

/**
 * Finding: two calls sent back to back faster than real time overran the engine; segments were dropped
 * and stop-streaming still answered 1000. The engine now queues within a budget of waiting speech, and
 * a loss beyond it is in the participant's status at stop, in the log and in a metric.
 */

const FAKE_WORKER = new URL('./embedded-fake-worker.mjs', import.meta.url);
const SLOW = 32125;

const recognizers: EmbeddedRecognizer[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  await Promise.all(recognizers.splice(0).map((r) => r.close()));
});

async function engine(maxPendingSeconds?: number): Promise<EmbeddedRecognizer> {
  const r = await createEmbeddedRecognizer({ decoders: 1, workerUrl: FAKE_WORKER, ...(maxPendingSeconds ? { maxPendingSeconds } : {}) });
  recognizers.push(r);
  return r;
}

/** `bursts` half-second tones 1.5 s apart (one speech segment each); the first makes the decoder slow. */
function speech(bursts: number): Int16Array {
  const audio = new Int16Array(8000 * (1.5 * bursts + 1.5));
  for (let k = 0; k < bursts; k++) {
    const start = (0.5 + 1.5 * k) * 8000;
    for (let i = start; i < start + 4000; i++) audio[i] = Math.round(Math.sin(i / 4) * 8000);
    if (k === 0) audio[start + 1600] = SLOW;
  }
  return audio;
}

function span(recognizer: EmbeddedRecognizer, conversationId: string, records: Utterance[], flushBudgetMs: number) {
  return new TranscriptionSpan({
    conversationId,
    externalConversationId: conversationId,
    streamIds: { customer: `${conversationId}-c`, agent: `${conversationId}-a` },
    language: 'en-US',
    settings: TEST_SETTINGS,
    presentRoles: ['customer', 'agent'],
    recognizer,
    sink: { record: async (u) => void records.push(u) },
    audioEpochMs: 0,
    tenant: 'acme',
    redaction: DEFAULT_REDACTION,
    logger,
    flushBudgetMs,
  });
}

/** Sends a whole call at once (as `npm run call -- --fast` does) for both speakers. */
function sendFast(s: TranscriptionSpan, audio: Int16Array): void {
  for (let i = 0; i < audio.length; i += 1600) {
    for (const role of ['customer', 'agent'] as Role[]) s.write(role, audio.slice(i, i + 1600), i);
  }
}

function captureStdout(): string[] {
  const lines: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
    lines.push(...String(chunk).split('\n').filter(Boolean));
    return true;
  });
  return lines;
}

describe('embedded engine over capacity', () => {
  it('queues two fast calls within its budget: every segment is decoded, nothing is lost', async () => {
    const recognizer = await engine();
    const records: Utterance[] = [];
    const calls = [span(recognizer, 'call-1', records, 10_000), span(recognizer, 'call-2', records, 10_000)];
    for (const s of calls) sendFast(s, speech(4));
    const reports = await Promise.all(calls.map((s) => s.end()));
    for (const report of reports) {
      expect(report.customer.status.code).toBe(1000);
      expect(report.agent.status.code).toBe(1000);
      expect(report.customer.summary.transcripts + report.agent.summary.transcripts).toBe(8);
    }
    expect(records).toHaveLength(16);
  });

  it('reports a loss beyond the budget at stop (5002), even while earlier segments still decode, and counts it', async () => {
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    const stdout = captureStdout();
    // Two seconds of waiting speech: the first segment (1.1 s) fits, the next ones do not.
    const recognizer = await engine(2);
    const records: Utterance[] = [];
    // The stop answers after 100 ms; the first segment alone takes the decoder 300 ms.
    const s = span(recognizer, 'call-1', records, 100);
    sendFast(s, speech(3));
    const report = await s.end();
    vi.restoreAllMocks();

    expect(report.customer.status).toEqual({ code: 5002, description: 'No instances available' });
    expect(report.agent.status.code).toBe(5002);
    const emf = stdout
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((entry) => entry._aws !== undefined && entry[GATEWAY_METRIC.audioLost] !== undefined);
    expect(emf.length).toBeGreaterThanOrEqual(2);
    // On the dimension the stack's alarms watch (the task sets POWERTOOLS_SERVICE_NAME to the same name).
    expect(emf[0].service).toBe(GATEWAY_SERVICE_NAME);
    const lostMs = emf.reduce((sum, entry) => sum + Number(entry[GATEWAY_METRIC.audioLostMs]), 0);
    expect(lostMs).toBeGreaterThan(1000);
    // Whatever was not lost is still recorded after the stop answered.
    await expect.poll(() => records.length, { timeout: 5_000 }).toBeGreaterThan(0);
  });
});
