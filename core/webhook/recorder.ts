import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logger as defaultLogger } from '../logger.ts';
import type { AppLogger } from '../logger.ts';
import type { DeliveryResult } from './deliver.ts';
import { WEBHOOK_METRIC as METRIC } from './metric-names.ts';
import type { QueuedMessage } from './queued-message.ts';

/**
 * Where delivery outcomes go (docs/api-contract.md §3.5: every failure is recorded with conversation id,
 * stream id, message id, status and latency, plus a metric). Entries carry ids, codes and timings only:
 * never a body (it holds transcript text), a URL (it may hold a query token) or a header.
 */
export interface DeliveryRecorder {
  delivered(m: QueuedMessage, r: DeliveryResult): void;
  /** `retry`: SQS will redeliver it; `dead-letter`: its last attempt, SQS moves it to the DLQ. */
  failed(m: QueuedMessage, r: DeliveryResult, disposition: 'retry' | 'dead-letter'): void;
  /** Past its deadline: acknowledged without sending (it is still in the `messages` table). */
  dropped(m: QueuedMessage, ageMs: number): void;
  malformed(f: { itemIdentifier: string; reason: string; conversationId?: string; messageId?: string }): void;
  /** End of a batch: emit buffered metrics. */
  flush(): void;
  /** End of a batch, before `flush`: outcomes written elsewhere (the console's delivery log) are stored. */
  settle?(): Promise<void>;
}

export function createRecorder(
  log: AppLogger = defaultLogger,
  metrics: Metrics = new Metrics({
    namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'AudiohookTranscribe',
    serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'audiohook-transcribe',
  }),
): DeliveryRecorder {
  const ids = (m: QueuedMessage) => ({
    conversationId: m.conversationId,
    streamId: m.streamId,
    messageId: m.messageId,
    sqsMessageId: m.itemIdentifier,
    attempt: m.receiveCount,
  });
  const ms = (v: number) => Math.round(v * 10) / 10;
  return {
    delivered(m, r) {
      metrics.addMetric(METRIC.delivered, MetricUnit.Count, 1);
      metrics.addMetric(METRIC.latency, MetricUnit.Milliseconds, ms(r.latencyMs));
      log.debug('webhook delivered', { ...ids(m), status: r.status, latencyMs: ms(r.latencyMs) });
    },
    failed(m, r, disposition) {
      metrics.addMetric(METRIC.failed, MetricUnit.Count, 1);
      log.warn('webhook delivery failed', {
        ...ids(m),
        status: r.status,
        reason: r.reason,
        latencyMs: ms(r.latencyMs),
        disposition,
      });
    },
    dropped(m, ageMs) {
      metrics.addMetric(METRIC.dropped, MetricUnit.Count, 1);
      log.warn('webhook message dropped past its deadline', { ...ids(m), ageMs: Math.round(ageMs) });
    },
    malformed(f) {
      metrics.addMetric(METRIC.failed, MetricUnit.Count, 1);
      log.error('webhook queue record rejected', {
        sqsMessageId: f.itemIdentifier,
        conversationId: f.conversationId,
        messageId: f.messageId,
        reason: f.reason,
        disposition: 'dead-letter',
      });
    },
    flush() {
      // Batches may share one recorder (the local consumer runs several poll loops): the first flush
      // publishes what all of them counted, and a flush with nothing stored stays silent instead of
      // Powertools' "No application metrics to publish" warning on stderr, once per batch.
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    },
  };
}
