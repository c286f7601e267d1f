import { Annotations, Duration } from 'aws-cdk-lib';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { DeploymentConfig } from './config.ts';
import { ServiceFunction } from './node-function.ts';

export const WEBHOOK_SERVICE_NAME = 'webhook-delivery';

export type DeliveryProps = Pick<
  DeploymentConfig,
  | 'webhookUrl'
  | 'webhookAuthMode'
  | 'webhookSecretTokenName'
  | 'webhookSecretTokenLocation'
  | 'webhookOAuth2TokenUrl'
  | 'webhookOAuth2Scope'
  | 'webhookOAuth2Audience'
  | 'webhookOAuth2ClientAuth'
  | 'webhookTimeoutMs'
  | 'webhookDeadlineMs'
  | 'webhookMaxAttempts'
  | 'webhookMaxConcurrentBatches'
  | 'webhookReservedConcurrency'
  | 'logLevel'
> & {
  webhookSecret: secretsmanager.ISecret;
  logRetentionDays: logs.RetentionDays;
};

/**
 * Real-time delivery (docs/api-contract.md §3.5): the gateway queues each utterance in `utterances`; the
 * webhook Lambda POSTs it once. A failed message is reported as a batch item failure and, with the
 * default redrive `maxReceiveCount` of 1 (= WEBHOOK_MAX_ATTEMPTS), lands in the dead-letter queue for
 * inspection instead of being retried. The event source's maximum concurrency (`webhookMaxConcurrentBatches`)
 * caps the load on the customer's target: SQS never runs more batches at once. Reserving concurrency
 * as well (`webhookReservedConcurrency`) also guarantees those slots against other functions of the
 * account (a throttled batch counts as a receive and, with one attempt allowed, is dead-lettered
 * unsent); it is off by default because a new account's quota of 10 leaves nothing to reserve.
 */
export class Delivery extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly webhookFunction: ServiceFunction;
  /** What `npm run dlq` needs, for an operator to attach: read and remove dead letters, read the webhook secret to re-deliver them. */
  readonly operatorPolicy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: DeliveryProps) {
    super(scope, id);
    // One attempt per message in a batch of 10, each within the POST timeout, plus slack for the OAuth2 token.
    const functionTimeout = Duration.seconds(Math.min(900, Math.ceil((10 * props.webhookTimeoutMs) / 1000) + 10));

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.queue = new sqs.Queue(this, 'Utterances', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // AWS's advice for Lambda event sources: at least six times the function timeout.
      visibilityTimeout: Duration.seconds(functionTimeout.toSeconds() * 6),
      // Messages past the delivery deadline are dropped unsent anyway; keep them a while beyond it.
      retentionPeriod: Duration.seconds(Math.min(14 * 86_400, Math.max(3_600, Math.ceil((2 * props.webhookDeadlineMs) / 1000)))),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.webhookMaxAttempts },
    });

    const optional = (name: string, value: string | undefined) => (value === undefined ? {} : { [name]: value });
    this.webhookFunction = new ServiceFunction(this, 'WebhookFunction', {
      bundle: 'webhook-delivery',
      description: 'SQS utterances -> HTTPS POST to the customer webhook',
      serviceName: WEBHOOK_SERVICE_NAME,
      logLevel: props.logLevel,
      logRetentionDays: props.logRetentionDays,
      timeout: functionTimeout,
      // Not reserved by default (see webhookReservedConcurrency): the event source's maximum concurrency is the cap.
      reservedConcurrentExecutions: props.webhookReservedConcurrency,
      environment: {
        WEBHOOK_URL: props.webhookUrl ?? '',
        WEBHOOK_AUTH_MODE: props.webhookAuthMode,
        ...optional('WEBHOOK_SECRET_TOKEN_NAME', props.webhookSecretTokenName),
        ...optional('WEBHOOK_SECRET_TOKEN_LOCATION', props.webhookSecretTokenLocation),
        ...optional('WEBHOOK_OAUTH2_TOKEN_URL', props.webhookOAuth2TokenUrl),
        ...optional('WEBHOOK_OAUTH2_SCOPE', props.webhookOAuth2Scope),
        ...optional('WEBHOOK_OAUTH2_AUDIENCE', props.webhookOAuth2Audience),
        ...optional('WEBHOOK_OAUTH2_CLIENT_AUTH', props.webhookOAuth2ClientAuth),
        WEBHOOK_TIMEOUT_MS: String(props.webhookTimeoutMs),
        WEBHOOK_DEADLINE_MS: String(props.webhookDeadlineMs),
        WEBHOOK_MAX_ATTEMPTS: String(props.webhookMaxAttempts),
        WEBHOOK_SECRET_ARN: props.webhookSecret.secretArn,
        // Lets the function set a failed message's visibility (0: dead-letter at once; backoff when retrying).
        UTTERANCES_QUEUE_URL: this.queue.queueUrl,
        // The function dead-letters failures itself, with the reason `npm run dlq` shows (redrive stays the backstop).
        WEBHOOK_DLQ_URL: this.deadLetterQueue.queueUrl,
      },
    });
    props.webhookSecret.grantRead(this.webhookFunction);
    this.operatorPolicy = new iam.ManagedPolicy(this, 'DlqOperatorPolicy', {
      description: 'npm run dlq: list, show and replay dead-lettered utterances',
      statements: [
        new iam.PolicyStatement({
          sid: 'DeadLetters',
          actions: ['sqs:ReceiveMessage', 'sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
          resources: [this.deadLetterQueue.queueArn],
        }),
        new iam.PolicyStatement({
          sid: 'WebhookSecret',
          actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
          resources: [props.webhookSecret.secretArn],
        }),
      ],
    });
    this.deadLetterQueue.grantSendMessages(this.webhookFunction);

    this.webhookFunction.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: 10,
        reportBatchItemFailures: true,
        maxConcurrency: props.webhookMaxConcurrentBatches,
        // Without a target there is nothing to deliver to: messages wait in the queue (and expire).
        enabled: props.webhookUrl !== undefined,
      }),
    );
    if (props.webhookUrl === undefined) {
      Annotations.of(this).addWarningV2(
        'audiohook:webhookUrlMissing',
        'context webhookUrl is not set: webhook delivery is disabled (utterances are still stored)',
      );
    }
  }
}
