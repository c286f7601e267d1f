import { Duration } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { GatewayService } from './gateway-service.ts';
import { WEBHOOK_METRIC } from '#core/webhook/metric-names.ts';
import { GATEWAY_METRIC, GATEWAY_SERVICE_NAME, STATUS_CODE_DIMENSION } from '#gateway/metrics/metric-names.ts';
import { METRICS_NAMESPACE } from './node-function.ts';
import { STREAM_STATUS } from '#core/contract/status-codes.ts';

export interface ObservabilityProps {
  gateway: GatewayService;
  api: apigateway.RestApi;
  queue: sqs.IQueue;
  deadLetterQueue: sqs.IQueue;
  /** Lambdas by display name. */
  functions: Record<string, lambda.IFunction>;
  /** POWERTOOLS_SERVICE_NAME of the webhook Lambda (dimension of its metrics). */
  webhookServiceName: string;
  webhookDeadlineMs: number;
  /** Whether webhook delivery is on (a webhook URL is configured); off, the queue fills by design. */
  deliveryEnabled: boolean;
  /** The daily export function, which must run once a day. */
  dailyExport: lambda.IFunction;
  alarmTopicArn?: string;
}

/**
 * Alarms and one dashboard. Alarms: messages in the dead-letter queue, errors and throttles of each
 * Lambda, a missed daily export, gateway tasks below the desired count (and no healthy target at all),
 * TLS handshake failures, webhook delivery failures and utterances dropped unsent past their deadline
 * (the webhook Lambda's `WebhookDeliveryFailed` and `WebhookDropped`), queue backlog older than the
 * delivery deadline (with delivery on), API 5xx, and the gateway's own metrics: Transcribe quota
 * refusals (5002), engine errors, speech lost unrecognized (any loss, and more than a minute of it in
 * 5 minutes), queue-publish and registration failures, open→opened latency and ping RTT. With
 * `alarmTopicArn` they notify that SNS topic.
 */
export class Observability extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    const topic = props.alarmTopicArn ? sns.Topic.fromTopicArn(this, 'AlarmTopic', props.alarmTopicArn) : undefined;
    const alarm = (alarmId: string, options: cloudwatch.CreateAlarmOptions & { metric: cloudwatch.Metric | cloudwatch.MathExpression }) => {
      const { metric, ...rest } = options;
      const a = metric.createAlarm(this, alarmId, { treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING, ...rest });
      if (topic) {
        a.addAlarmAction(new actions.SnsAction(topic));
        a.addOkAction(new actions.SnsAction(topic));
      }
      this.alarms.push(a);
      return a;
    };
    const fiveMinutes = Duration.minutes(5);
    const oneMinute = Duration.minutes(1);
    const webhookMetric = (metricName: string) =>
      new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName,
        dimensionsMap: { service: props.webhookServiceName },
        statistic: 'Sum',
        period: fiveMinutes,
      });

    // --- delivery -----------------------------------------------------------------------------------
    const dlqDepth = props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: fiveMinutes, statistic: 'Maximum' });
    alarm('DeadLetterQueueDepth', {
      metric: dlqDepth,
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      alarmDescription: 'Webhook messages that were not delivered are waiting in the dead-letter queue',
    });
    const deliveryFailures = webhookMetric(WEBHOOK_METRIC.failed);
    alarm('WebhookDeliveryFailures', {
      metric: deliveryFailures,
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      alarmDescription: 'Webhook POSTs failed (non-2xx, timeout, TLS or connection error)',
    });
    const deliveryDrops = webhookMetric(WEBHOOK_METRIC.dropped);
    alarm('WebhookDropped', {
      metric: deliveryDrops,
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      alarmDescription:
        'Utterances passed their delivery deadline and were acknowledged unsent (still in the messages table; the customer never received them)',
    });
    const oldestMessage = props.queue.metricApproximateAgeOfOldestMessage({ period: oneMinute, statistic: 'Maximum' });
    // With delivery off (no webhookUrl) every utterance waits until it expires: that is not a backlog.
    if (props.deliveryEnabled) {
      alarm('QueueBacklog', {
        metric: oldestMessage,
        threshold: Math.ceil(props.webhookDeadlineMs / 1000),
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
        alarmDescription: 'Utterances wait in the queue longer than the delivery deadline (they will be dropped unsent)',
      });
    }

    // --- Lambdas ------------------------------------------------------------------------------------
    for (const [name, fn] of Object.entries(props.functions)) {
      alarm(`${name}Errors`, {
        metric: fn.metricErrors({ period: fiveMinutes, statistic: 'Sum' }),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        alarmDescription: `${name} Lambda invocations failed`,
      });
      alarm(`${name}Throttles`, {
        metric: fn.metricThrottles({ period: fiveMinutes, statistic: 'Sum' }),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        alarmDescription: `${name} Lambda invocations were throttled (account concurrency exhausted)`,
      });
    }
    alarm('DailyExportDidNotRun', {
      metric: props.dailyExport.metricInvocations({ period: Duration.days(1), statistic: 'Sum' }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 1,
      // No datapoint is exactly the failure this alarm exists for.
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      alarmDescription: 'The daily utterances export was not invoked in the last 24 hours (schedule disabled or failing to trigger)',
    });

    // --- gateway ------------------------------------------------------------------------------------
    const { gateway } = props;
    // Not an alarm on unhealthy targets: a retiring task (rolling deploy, scale-in) fails /health on
    // purpose until its last call ends. What matters is whether ECS runs the tasks it wants.
    const unhealthy = gateway.targetGroup.metrics.unHealthyHostCount({ period: oneMinute, statistic: 'Maximum' });
    const insights = (metricName: string) =>
      new cloudwatch.Metric({
        namespace: 'ECS/ContainerInsights',
        metricName,
        dimensionsMap: { ClusterName: gateway.cluster.clusterName, ServiceName: gateway.service.serviceName },
        statistic: 'Average',
        period: oneMinute,
      });
    alarm('GatewayTasksBelowDesired', {
      metric: new cloudwatch.MathExpression({
        expression: 'desired - running',
        usingMetrics: { desired: insights('DesiredTaskCount'), running: insights('RunningTaskCount') },
        period: oneMinute,
        label: 'gateway tasks missing',
      }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 10,
      datapointsToAlarm: 10,
      alarmDescription: 'Fewer gateway tasks run than the service wants, for 10 minutes (tasks fail to start, capacity or quota)',
    });
    const healthy = gateway.targetGroup.metrics.healthyHostCount({ period: oneMinute, statistic: 'Minimum' });
    alarm('GatewayNoHealthyTask', {
      metric: healthy,
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 2,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      alarmDescription: 'No healthy gateway task: Genesys cannot connect',
    });

    alarm('GatewayTlsNegotiationErrors', {
      metric: gateway.loadBalancer.metrics.custom('ClientTLSNegotiationErrorCount', { statistic: 'Sum', period: fiveMinutes }),
      threshold: 10,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 2,
      alarmDescription:
        'Clients fail the TLS handshake on the AudioHook listener (certificate does not cover the host Genesys uses, expired, or a TLS policy mismatch)',
    });

    // --- gateway metrics (EMF from the tasks: fargate-gateway/metrics/) --------------------------------
    const gatewayMetric = (metricName: string, statistic: string, extra: Record<string, string> = {}) =>
      new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName,
        dimensionsMap: { service: GATEWAY_SERVICE_NAME, ...extra },
        statistic,
        period: fiveMinutes,
      });
    const quotaErrors = gatewayMetric(GATEWAY_METRIC.recognizerErrors, 'Sum', {
      [STATUS_CODE_DIMENSION]: String(STREAM_STATUS.NO_INSTANCES_AVAILABLE),
    });
    alarm('GatewayTranscribeQuota', {
      metric: quotaErrors,
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      alarmDescription:
        "Amazon Transcribe refused streams (status 5002): the region's concurrent stream quota is reached and calls go untranscribed; raise the quota",
    });
    const engineErrors = gatewayMetric(GATEWAY_METRIC.recognizerErrors, 'Sum', {
      [STATUS_CODE_DIMENSION]: String(STREAM_STATUS.INTERNAL_ERROR),
    });
    alarm('GatewayRecognizerErrors', {
      metric: engineErrors,
      threshold: 5,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      alarmDescription: 'More than 5 participant streams failed in the speech engine (status 5000) in 5 minutes',
    });
    const audioLost = gatewayMetric(GATEWAY_METRIC.audioLost, 'Sum');
    alarm('GatewayAudioLost', {
      metric: audioLost,
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      alarmDescription:
        'Speech went unrecognized: a participant stream was refused (5002, over capacity or quota) or failed (5000) while audio went on; the stop summary names the participant',
    });
    const audioLostMs = gatewayMetric(GATEWAY_METRIC.audioLostMs, 'Sum');
    alarm('GatewayAudioLostMs', {
      metric: audioLostMs,
      threshold: 60_000,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      alarmDescription:
        'More than a minute of speech went unrecognized in 5 minutes: the speech engine is persistently refusing or failing streams (see RecognizerErrors by StatusCode)',
    });
    const queueFailures = gatewayMetric(GATEWAY_METRIC.queuePublishFailures, 'Sum');
    alarm('GatewayQueuePublishFailures', {
      metric: queueFailures,
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      alarmDescription: 'Utterances could not be put on the webhook queue (stored, never delivered: replay them from the messages table)',
    });
    const registrationFailures = gatewayMetric(GATEWAY_METRIC.registrationFailures, 'Sum');
    alarm('GatewayRegistrationFailures', {
      metric: registrationFailures,
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      alarmDescription: 'Calls could not be registered in the conversations table: start-streaming answers 400-203 for them',
    });
    const openLatency = gatewayMetric(GATEWAY_METRIC.openLatency, 'p90');
    alarm('GatewayOpenLatency', {
      metric: openLatency,
      threshold: 2_000,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      alarmDescription: 'open→opened takes more than 2 s for 10% of sessions (Genesys gives the open transaction 5 s)',
    });
    const pingRtt = gatewayMetric(GATEWAY_METRIC.pingRtt, 'p90');
    alarm('GatewayPingRtt', {
      metric: pingRtt,
      threshold: 1_000,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      alarmDescription: 'Genesys reports a round-trip time above 1 s to the gateway for 10% of sessions (network or an overloaded task)',
    });

    // --- API ----------------------------------------------------------------------------------------
    const api5xx = props.api.metricServerError({ period: fiveMinutes, statistic: 'Sum' });
    alarm('Api5xx', {
      metric: api5xx,
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      alarmDescription: 'The public API answered 5xx',
    });

    // --- dashboard ----------------------------------------------------------------------------------
    const lambdas = Object.entries(props.functions);
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.hours(3),
      widgets: [
        [
          new cloudwatch.GraphWidget({
            title: 'AudioHook connections',
            left: [
              gateway.loadBalancer.metrics.custom('ActiveFlowCount_TLS', { statistic: 'Average', period: oneMinute, label: 'active' }),
              gateway.loadBalancer.metrics.custom('NewFlowCount_TLS', { statistic: 'Sum', period: oneMinute, label: 'new / min' }),
            ],
            right: [gateway.connectionsPerTaskExpression()],
            width: 8,
          }),
          new cloudwatch.GraphWidget({ title: 'Gateway targets', left: [healthy, unhealthy], width: 8 }),
          new cloudwatch.GraphWidget({
            title: 'Gateway sessions and results',
            left: [
              gatewayMetric(GATEWAY_METRIC.liveSessions, 'Average').with({ label: 'live sessions per task', period: oneMinute }),
              gatewayMetric(GATEWAY_METRIC.sessionsOpened, 'Sum').with({ label: 'opened / 5 min' }),
              gatewayMetric(GATEWAY_METRIC.utterances, 'Sum').with({ label: 'utterances / 5 min' }),
            ],
            right: [
              quotaErrors.with({ label: 'Transcribe quota (5002)' }),
              engineErrors.with({ label: 'engine errors (5000)' }),
              audioLost.with({ label: 'speech losses' }),
              gatewayMetric(GATEWAY_METRIC.framesDropped, 'Sum').with({ label: 'frames dropped' }),
              queueFailures.with({ label: 'queue publish failures' }),
              registrationFailures.with({ label: 'registration failures' }),
            ],
            width: 8,
          }),
          new cloudwatch.GraphWidget({
            title: 'Gateway latency (ms, p90)',
            left: [openLatency.with({ label: 'open→opened' }), pingRtt.with({ label: 'ping RTT' })],
            width: 8,
          }),
          new cloudwatch.GraphWidget({
            title: 'Gateway tasks: CPU and memory (%)',
            left: [
              gateway.service.metricCpuUtilization({ period: oneMinute }),
              gateway.service.metricMemoryUtilization({ period: oneMinute }),
            ],
            width: 8,
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Webhook delivery',
            left: [webhookMetric(WEBHOOK_METRIC.delivered), deliveryFailures, deliveryDrops],
            right: [
              new cloudwatch.Metric({
                namespace: METRICS_NAMESPACE,
                metricName: WEBHOOK_METRIC.latency,
                dimensionsMap: { service: props.webhookServiceName },
                statistic: 'p95',
                period: fiveMinutes,
              }),
            ],
            width: 8,
          }),
          new cloudwatch.GraphWidget({
            title: 'Utterances queue',
            left: [props.queue.metricApproximateNumberOfMessagesVisible({ period: oneMinute }), dlqDepth],
            right: [oldestMessage],
            width: 8,
          }),
          new cloudwatch.GraphWidget({
            title: 'API',
            left: [props.api.metricCount({ period: fiveMinutes }), props.api.metricClientError({ period: fiveMinutes }), api5xx],
            right: [props.api.metricLatency({ period: fiveMinutes, statistic: 'p95' })],
            width: 8,
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Lambda errors',
            left: lambdas.map(([name, fn]) => fn.metricErrors({ period: fiveMinutes, label: name })),
            width: 8,
          }),
          new cloudwatch.GraphWidget({
            title: 'Lambda duration p95 (ms)',
            left: lambdas.map(([name, fn]) => fn.metricDuration({ period: fiveMinutes, statistic: 'p95', label: name })),
            width: 8,
          }),
          new cloudwatch.GraphWidget({
            title: 'Lambda throttles',
            left: lambdas.map(([name, fn]) => fn.metricThrottles({ period: fiveMinutes, label: name })),
            width: 8,
          }),
        ],
        [new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24 })],
      ],
    });
  }
}
