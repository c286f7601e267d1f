import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseRecord } from '#core/webhook/queued-message.ts';
import type { QueuedMessage } from '#core/webhook/queued-message.ts';
import { WEBHOOK_METRIC as METRIC } from '#core/webhook/metric-names.ts';
import { createRecorder } from '#core/webhook/recorder.ts';
import { sqsRecord } from '#test/integration/webhook/support/servers.ts';

function capture() {
  const lines: string[] = [];
  const write = (chunk: unknown) => {
    lines.push(String(chunk));
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(write);
  vi.spyOn(process.stderr, 'write').mockImplementation(write);
  return lines;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('createRecorder', () => {
  it('logs ids, status, reason and latency, emits the metrics, and never writes the body', () => {
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    const lines = capture();
    const recorder = createRecorder(
      new Logger({ serviceName: 'test', logLevel: 'DEBUG' }),
      new Metrics({ namespace: 'Test', serviceName: 'test' }),
    );
    const text = 'my card number is 4111 1111 1111 1111';
    const parsed = parseRecord(sqsRecord({ conversationId: 'conv-9', streamId: 'stream-9', text }));
    if (!parsed.ok) throw new Error('fixture');
    const m: QueuedMessage = parsed.message;
    recorder.delivered(m, { ok: true, status: 200, reason: 'ok', latencyMs: 12.345 });
    recorder.failed(m, { ok: false, status: 503, reason: 'status 503', latencyMs: 40 }, 'dead-letter');
    recorder.dropped(m, 61_000);
    recorder.malformed({ itemIdentifier: 'sqs-x', reason: 'malformed: body is not JSON', conversationId: 'conv-9' });
    recorder.flush();
    vi.unstubAllEnvs();

    const out = lines.join('');
    expect(out).not.toContain('4111');
    expect(out).not.toContain(m.body);
    const json = lines
      .flatMap((l) => l.split('\n'))
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const failed = json.find((j) => j.message === 'webhook delivery failed');
    expect(failed).toMatchObject({
      level: 'WARN',
      conversationId: 'conv-9',
      streamId: 'stream-9',
      messageId: m.messageId,
      status: 503,
      reason: 'status 503',
      latencyMs: 40,
      disposition: 'dead-letter',
    });
    expect(json.find((j) => j.message === 'webhook message dropped past its deadline')).toMatchObject({ ageMs: 61_000 });
    const emf = json.find((j) => j._aws !== undefined) as Record<string, unknown>;
    expect(emf[METRIC.delivered]).toBe(1);
    expect(emf[METRIC.failed]).toEqual([1, 1]);
    expect(emf[METRIC.dropped]).toBe(1);
    expect(emf[METRIC.latency]).toBe(12.3);
  });

  it('stays silent when a batch counted nothing (another batch sharing it already published)', () => {
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    const lines = capture();
    const recorder = createRecorder(new Logger({ serviceName: 'test' }), new Metrics({ namespace: 'Test', serviceName: 'test' }));
    const parsed = parseRecord(sqsRecord({ conversationId: 'conv-1', streamId: 'stream-1', text: 'hello' }));
    if (!parsed.ok) throw new Error('fixture');
    recorder.delivered(parsed.message, { ok: true, status: 200, reason: 'ok', latencyMs: 5 });
    recorder.flush();
    recorder.flush();
    recorder.flush();
    vi.unstubAllEnvs();

    const out = lines.join('');
    expect(out).not.toContain('No application metrics to publish');
    expect(lines.flatMap((l) => l.split('\n')).filter((l) => l.includes('"_aws"'))).toHaveLength(1);
  });
});
