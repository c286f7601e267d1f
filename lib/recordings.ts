import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { privateBucketProps } from './private-bucket.ts';

export interface RecordingsProps {
  /** Days a recording is kept before the lifecycle rule deletes it. */
  retentionDays: number;
  accessLogs: s3.IBucket;
  removalPolicy: RemovalPolicy;
}

/**
 * The call recordings bucket (docs/recordings.md): one stereo WAV per recorded span, written by the
 * gateway, listed and linked (presigned URLs) by the recordings route. Private, SSE-S3 encrypted, TLS
 * only, unversioned so that expiry really deletes, with its own retention and server access logs.
 * Absent when the deployment forbids recording (`callRecording=false`).
 */
export class Recordings extends Construct {
  readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: RecordingsProps) {
    super(scope, id);
    this.bucket = new s3.Bucket(this, 'Bucket', {
      ...privateBucketProps(props.removalPolicy),
      serverAccessLogsBucket: props.accessLogs,
      serverAccessLogsPrefix: 'recordings/',
      lifecycleRules: [
        {
          id: 'expire-recordings',
          enabled: true,
          expiration: Duration.days(props.retentionDays),
          // A gateway task that stops mid-call leaves an unfinished upload: its parts go too.
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
    });
  }
}
