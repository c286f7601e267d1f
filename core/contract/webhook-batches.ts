/**
 * How many SQS batches of utterances are delivered to the customer's webhook at once: in AWS the SQS
 * event source's maximum concurrency (the stack's `webhookMaxConcurrentBatches`), locally the queue
 * poller's loops (`WEBHOOK_MAX_CONCURRENT_BATCHES`). Each batch holds up to 10 messages, so this caps
 * both the load on the target and the delivery rate (docs/capacity.md).
 *
 * The default is 5 because a new account's Lambda concurrency quota is 10, and a batch Lambda throttles
 * still counts as a receive: with one attempt allowed it would be dead-lettered unsent. A contact centre
 * with hundreds of calls at once raises it (and the quota) to keep delivery within the 60 s deadline.
 */
export const DEFAULT_WEBHOOK_MAX_CONCURRENT_BATCHES = 5;
export const WEBHOOK_MAX_CONCURRENT_BATCHES_RANGE = { min: 2, max: 1000 } as const;
