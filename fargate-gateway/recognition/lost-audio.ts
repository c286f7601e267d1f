import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { GATEWAY_METRIC, GATEWAY_SERVICE_NAME } from '../metrics/metric-names.ts';
import type { RecognitionError } from './recognizer.ts';

/** Status codes that mean some speech was not recognized while the participant's stream goes on. */
const LOSS_CODES: ReadonlySet<number> = new Set([5000, 5002]);

let shared: Metrics | undefined;

/**
 * Speech the engine will never recognize (a segment dropped by a full engine or audio dropped by a
 * stalled Transcribe stream's full backlog, 5002, or lost with a crashed decoder, 5000) must not pass
 * silently: besides the participant's status in the stop summary and the console (and the span's error log), every loss is counted in CloudWatch (EMF on stdout, one line per loss;
 * losses are rare by design, so nothing is buffered) as `RecognitionAudioLost` and
 * `RecognitionAudioLostMs` (metric-names.ts), on which the stack alarms.
 */
export function countLostAudio(error: RecognitionError, metrics?: Metrics): void {
  if (!LOSS_CODES.has(error.statusCode)) return;
  const m = metrics ?? (shared ??= sharedMetrics());
  m.addMetric(GATEWAY_METRIC.audioLost, MetricUnit.Count, 1);
  if (error.lostAudioMs !== undefined) m.addMetric(GATEWAY_METRIC.audioLostMs, MetricUnit.Milliseconds, error.lostAudioMs);
  m.publishStoredMetrics();
}

function sharedMetrics(): Metrics {
  return new Metrics({
    namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'AudiohookTranscribe',
    serviceName: process.env.POWERTOOLS_SERVICE_NAME || GATEWAY_SERVICE_NAME,
  });
}
