import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { RecognitionError } from './recognizer.ts';

/**
 * Speech the engine will never recognize (a segment dropped by a full engine, 5002, or lost with a
 * crashed decoder, 5000) must not pass silently: besides the participant's status in the stop summary
 * and the console (and the span's error log), every loss is counted in CloudWatch (EMF on stdout, one line per loss;
 * losses are rare by design, so nothing is buffered). Metric names below; the namespace is
 * POWERTOOLS_METRICS_NAMESPACE, as for every component.
 */
export const LOST_AUDIO_METRIC = {
  /** Count of losses (segments or streams). */
  losses: 'RecognitionAudioLost',
  /** Milliseconds of speech lost, when the engine knows how much. */
  audioMs: 'RecognitionAudioLostMs',
} as const;

/** Status codes that mean some speech was not recognized while the participant's stream goes on. */
const LOSS_CODES: ReadonlySet<number> = new Set([5000, 5002]);

let shared: Metrics | undefined;

export function countLostAudio(error: RecognitionError, metrics?: Metrics): void {
  if (!LOSS_CODES.has(error.statusCode)) return;
  const m = metrics ?? (shared ??= sharedMetrics());
  m.addMetric(LOST_AUDIO_METRIC.losses, MetricUnit.Count, 1);
  if (error.lostAudioMs !== undefined) m.addMetric(LOST_AUDIO_METRIC.audioMs, MetricUnit.Milliseconds, error.lostAudioMs);
  m.publishStoredMetrics();
}

function sharedMetrics(): Metrics {
  return new Metrics({
    namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'AudiohookTranscribe',
    serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'audiohook-transcribe',
  });
}
