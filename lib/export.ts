import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { DAILY_EXPORT_CRON, DAILY_EXPORT_HOUR_UTC, FEED_RETENTION_DAYS } from '#core/contract/export-schedule.ts';
import { ServiceFunction } from './node-function.ts';
import { privateBucketProps } from './private-bucket.ts';

export interface ExportProps {
  messages: dynamodb.ITable;
  conversationsTableName: string;
  messageRetentionDays: number;
  byHourIndexArn: string;
  accessLogs: s3.IBucket;
  tenant: string;
  removalPolicy: RemovalPolicy;
  logLevel: string;
  logRetentionDays: logs.RetentionDays;
}

/**
 * The daily `utterances` feed: at 02:00 UTC the export Lambda reads the previous UTC day from the
 * `byHour` index and writes JSON Lines and CSV parts to the exports bucket
 * (`utterances/version=1/format=…/dt=…/hr=…/part-NNNN.…`). Files expire after 32 days. The bucket is
 * private, SSE-S3 encrypted, TLS only, unversioned (so expiry really deletes), with server access logs.
 */
export class Export extends Construct {
  readonly bucket: s3.Bucket;
  readonly exportFunction: ServiceFunction;
  readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: ExportProps) {
    super(scope, id);
    this.bucket = new s3.Bucket(this, 'Bucket', {
      ...privateBucketProps(props.removalPolicy),
      serverAccessLogsBucket: props.accessLogs,
      serverAccessLogsPrefix: 'exports/',
      lifecycleRules: [
        {
          id: 'expire-feed-files',
          enabled: true,
          expiration: Duration.days(FEED_RETENTION_DAYS),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
    });

    this.exportFunction = new ServiceFunction(this, 'DailyExport', {
      bundle: 'daily-export',
      description: 'Daily utterances feed (previous UTC day) to S3',
      serviceName: 'daily-export',
      logLevel: props.logLevel,
      logRetentionDays: props.logRetentionDays,
      memorySize: 1024,
      timeout: Duration.minutes(15),
      // One run a day; no reserved concurrency (a new account's quota of 10 leaves none to reserve).
      // A second concurrent run (a manual one) is harmless: the export is idempotent per day.
      environment: {
        // The shared store configuration requires both table names; only `messages` is read.
        CONVERSATIONS_TABLE: props.conversationsTableName,
        MESSAGES_TABLE: props.messages.tableName,
        MESSAGE_RETENTION_DAYS: String(props.messageRetentionDays),
        EXPORT_BUCKET: this.bucket.bucketName,
        FEED_RETENTION_DAYS: String(FEED_RETENTION_DAYS),
        API_TENANT: props.tenant,
      },
    });
    this.exportFunction.addToRolePolicy(
      new iam.PolicyStatement({ sid: 'ReadHourIndex', actions: ['dynamodb:Query'], resources: [props.byHourIndexArn] }),
    );
    this.exportFunction.addToRolePolicy(
      new iam.PolicyStatement({ sid: 'ListFeed', actions: ['s3:ListBucket'], resources: [this.bucket.bucketArn] }),
    );
    this.exportFunction.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'WriteFeedFiles',
        // Parts are streamed as multipart uploads; a re-run deletes parts the new run did not write.
        actions: ['s3:PutObject', 's3:AbortMultipartUpload', 's3:DeleteObject'],
        resources: [this.bucket.arnForObjects('*')],
      }),
    );

    this.rule = new events.Rule(this, 'Schedule', {
      description: `Daily utterances feed at ${String(DAILY_EXPORT_HOUR_UTC).padStart(2, '0')}:00 UTC`,
      schedule: events.Schedule.expression(DAILY_EXPORT_CRON),
    });
    this.rule.addTarget(new targets.LambdaFunction(this.exportFunction, { retryAttempts: 2, maxEventAge: Duration.hours(2) }));
  }
}
