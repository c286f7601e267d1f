/**
 * The webhook delivery's CloudWatch metrics (namespace POWERTOOLS_METRICS_NAMESPACE, dimension
 * `service` = the webhook function's service name): the names the recorder emits and the stack's alarms
 * and dashboard watch. Dependency-free so the CDK app imports it without loading the delivery code.
 */
export const WEBHOOK_METRIC = {
  /** POSTs the webhook answered 2xx. */
  delivered: 'WebhookDelivered',
  /** POSTs that failed (non-2xx, timeout, TLS or connection error) and queue records rejected as malformed. */
  failed: 'WebhookDeliveryFailed',
  /** Utterances acknowledged unsent past their delivery deadline (still in the messages table). */
  dropped: 'WebhookDropped',
  /** Milliseconds of each successful POST. */
  latency: 'WebhookLatency',
} as const;
