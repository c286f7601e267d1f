import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { AudioHookSession } from '../audiohook/session.ts';
import type { Call, CallEvents } from '../call.ts';
import type { RecognitionListener, Recognizer } from '../recognition/recognizer.ts';
import type { UtteranceSink } from '../utterances/utterance-sink.ts';
import { GATEWAY_METRIC, STATUS_CODE_DIMENSION } from './metric-names.ts';

export interface GatewayMetricsOptions {
  /** The server's live sessions, sampled at each interval. */
  sessions: () => ReadonlySet<AudioHookSession>;
  /** Cumulative failure counters of the webhook queue publisher, if there is one. */
  publisher?: { readonly counters: { readonly dropped: number } };
  intervalMs: number;
  metrics?: Metrics;
}

/**
 * The gateway's metrics as CloudWatch embedded metric format (EMF) lines on stdout, through Powertools
 * Metrics: in ECS the awslogs driver sends stdout to CloudWatch Logs, which turns each line into
 * metrics (names in metric-names.ts; the stack alarms on them). Counts accumulate and are written once
 * per interval (one line per minute per task, not one per event); recognizer errors carry their status
 * code as a dimension and are written when they happen (rare by nature).
 *
 * It only observes: each hook wraps what the gateway already does (call events, the recognizer's
 * listener, the utterance sink) and never changes an outcome.
 */
export class GatewayMetrics {
  private readonly metrics: Metrics;
  private timer: NodeJS.Timeout | undefined;
  private publishedDrops = 0;

  constructor(private readonly options: GatewayMetricsOptions) {
    this.metrics = options.metrics ?? new Metrics({ serviceName: process.env.POWERTOOLS_SERVICE_NAME || 'gateway' });
    this.publishedDrops = options.publisher?.counters.dropped ?? 0;
  }

  start(): void {
    this.timer = setInterval(() => this.flush(), this.options.intervalMs);
    this.timer.unref();
  }

  /** Writes what accumulated since the last line, with the current gauges. */
  flush(): void {
    const sessions = this.options.sessions();
    this.metrics.addMetric(GATEWAY_METRIC.liveSessions, MetricUnit.Count, sessions.size);
    for (const session of sessions) {
      if (session.lastPingRttMs !== undefined)
        this.metrics.addMetric(GATEWAY_METRIC.pingRtt, MetricUnit.Milliseconds, session.lastPingRttMs);
    }
    const dropped = this.options.publisher?.counters.dropped ?? 0;
    this.metrics.addMetric(GATEWAY_METRIC.queuePublishFailures, MetricUnit.Count, dropped - this.publishedDrops);
    this.publishedDrops = dropped;
    this.metrics.publishStoredMetrics();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.flush();
  }

  /** Call events: sessions opened, open→opened latency, and frames dropped over each call's life. */
  callEvents(): CallEvents {
    return {
      opened: (call: Call) => {
        const { openedAt, openReceivedAt } = call.session;
        this.metrics.addMetric(GATEWAY_METRIC.sessionsOpened, MetricUnit.Count, 1);
        if (openedAt !== undefined && openReceivedAt !== undefined) {
          this.metrics.addMetric(GATEWAY_METRIC.openLatency, MetricUnit.Milliseconds, Math.max(0, openedAt - openReceivedAt));
        }
      },
      ended: (call: Call) => {
        this.metrics.addMetric(GATEWAY_METRIC.framesDropped, MetricUnit.Count, call.session.counters.droppedFrames);
      },
    };
  }

  /** Counts a session the registry could not record (session-registration.ts). */
  registrationFailed(): void {
    this.metrics.addMetric(GATEWAY_METRIC.registrationFailures, MetricUnit.Count, 1);
  }

  /** The recognizer, with every participant failure counted by status code on its way to the call. */
  recognizer(inner: Recognizer): Recognizer {
    return {
      languages: inner.languages,
      open: (options, listener: RecognitionListener) =>
        inner.open(options, {
          onResult: (result) => listener.onResult(result),
          onError: (role, error) => {
            const single = this.metrics.singleMetric();
            single.addDimension(STATUS_CODE_DIMENSION, String(error.statusCode));
            single.addMetric(GATEWAY_METRIC.recognizerErrors, MetricUnit.Count, 1);
            listener.onError(role, error);
          },
        }),
      close: () => inner.close(),
    };
  }

  /** The utterance sink, counting each utterance produced. */
  sink(inner: UtteranceSink): UtteranceSink {
    return {
      record: (utterance) => {
        this.metrics.addMetric(GATEWAY_METRIC.utterances, MetricUnit.Count, 1);
        return inner.record(utterance);
      },
    };
  }
}

/** Several observers of the same call events, each told in turn; `ended` waits for all of them. */
export function combineCallEvents(...all: Array<CallEvents | undefined>): CallEvents {
  const list = all.filter((e): e is CallEvents => e !== undefined);
  return {
    opened: (call) => list.forEach((e) => e.opened?.(call)),
    closing: (call) => list.forEach((e) => e.closing?.(call)),
    ended: async (call, report) => {
      await Promise.all(list.map(async (e) => e.ended?.(call, report)));
    },
  };
}
