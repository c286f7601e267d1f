import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AudioHookSession } from '#gateway/audiohook/session.ts';
import { GatewayMetrics } from '#gateway/metrics/gateway-metrics.ts';
import { GATEWAY_METRIC, STATUS_CODE_DIMENSION } from '#gateway/metrics/metric-names.ts';
import { RecognitionError, type RecognitionListener, type Recognizer } from '#gateway/recognition/recognizer.ts';

/**
 * The gateway's metrics hooks, read back from the EMF lines Powertools writes to stdout: recognizer
 * errors by status code (the quota alarm watches 5002), queue-publish failures as deltas of the
 * publisher's cumulative counter, and the wrapped parts passing everything through unchanged.
 */
let lines: Array<Record<string, any>>;
let write: ReturnType<typeof vi.spyOn>;
beforeEach(() => {
  lines = [];
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
  write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    const text = String(chunk);
    if (text.includes('"_aws"')) lines.push(JSON.parse(text) as Record<string, any>);
    return true;
  });
});
afterEach(() => {
  write.mockRestore();
  vi.unstubAllEnvs();
});

const newMetrics = () =>
  new GatewayMetrics({
    sessions: () => new Set<AudioHookSession>(),
    intervalMs: 60_000,
    metrics: new Metrics({ namespace: 'T', serviceName: 'gateway' }),
  });

describe('GatewayMetrics', () => {
  it('counts each recognizer failure with its status code as a dimension, and still tells the call', () => {
    const metrics = newMetrics();
    let listener: RecognitionListener | undefined;
    const engine: Recognizer = {
      open: (_o, l) => {
        listener = l;
        return { write: () => undefined, end: async () => undefined };
      },
      close: async () => undefined,
    };
    const told: Array<[string, number]> = [];
    const results: string[] = [];
    metrics
      .recognizer(engine)
      .open(
        { conversationId: 'c', language: 'en-US', sampleRate: 8000, roles: ['customer'], wordTimings: false },
        { onResult: (r) => results.push(r.text), onError: (role, e) => told.push([role, e.statusCode]) },
      );
    listener!.onError('customer', new RecognitionError(5002, 'quota'));
    listener!.onError('agent', new RecognitionError(5000, 'engine'));
    listener!.onResult({ role: 'agent', text: 'hello', startMs: 0, endMs: 1 });

    expect(told).toEqual([
      ['customer', 5002],
      ['agent', 5000],
    ]);
    expect(results).toEqual(['hello']);
    const errors = lines.filter((l) => l[GATEWAY_METRIC.recognizerErrors] !== undefined);
    expect(errors.map((l) => [l[STATUS_CODE_DIMENSION], l[GATEWAY_METRIC.recognizerErrors]])).toEqual([
      ['5002', 1],
      ['5000', 1],
    ]);
    expect(errors[0]._aws.CloudWatchMetrics[0].Dimensions[0].sort()).toEqual([STATUS_CODE_DIMENSION, 'service'].sort());
  });

  it('reports queue-publish failures as the growth of the publisher counter since the last line', () => {
    const counters = { dropped: 3 };
    const metrics = new GatewayMetrics({
      sessions: () => new Set<AudioHookSession>(),
      publisher: { counters },
      intervalMs: 60_000,
      metrics: new Metrics({ namespace: 'T', serviceName: 'gateway' }),
    });
    metrics.flush();
    counters.dropped = 5;
    metrics.flush();
    metrics.flush();
    expect(lines.map((l) => l[GATEWAY_METRIC.queuePublishFailures])).toEqual([0, 2, 0]);
    expect(lines.map((l) => l[GATEWAY_METRIC.liveSessions])).toEqual([0, 0, 0]);
  });

  it('counts utterances on their way to the sink and registration failures', async () => {
    const metrics = newMetrics();
    const recorded: string[] = [];
    const sink = metrics.sink({ record: async (u) => void recorded.push(u.conversationId) });
    await sink.record({ conversationId: 'c1' } as never);
    await sink.record({ conversationId: 'c2' } as never);
    metrics.registrationFailed();
    metrics.flush();
    expect(recorded).toEqual(['c1', 'c2']);
    expect(lines.at(-1)).toMatchObject({ [GATEWAY_METRIC.utterances]: [1, 1], [GATEWAY_METRIC.registrationFailures]: 1 });
  });
});
