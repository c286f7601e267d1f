import type { S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from '#core/daily-export/s3-client.ts';
import { monotonicFactory } from 'ulid';
import type { Role } from '#core/domain/participant.ts';
import type { AppLogger } from '#core/logger.ts';
import { RECORDING_METADATA, recordingKey } from '#core/recordings/layout.ts';
import { SpanRecording } from './span-recording.ts';
import { WavUpload } from './wav-upload.ts';
import type { GatewayConfig } from '../config.ts';

/**
 * Opens the recording of a span in the recordings bucket (core/recordings/layout.ts). The gateway has
 * one when the deployment allows recording (CALL_RECORDING) and a bucket is configured
 * (RECORDINGS_BUCKET); a start records only when it also sets `audioRecordingAllowed`.
 */
export interface CallRecorder {
  open(span: SpanIdentity): SpanRecording;
}

interface SpanIdentity {
  tenant: string;
  /** The conversation key (lower-case conversation id). */
  conversationId: string;
  streamIds: Record<Role, string>;
  /** Timeline position (samples) where the span starts. */
  startSample: number;
  logger: AppLogger;
}

const newRecordingId = monotonicFactory();

export function s3CallRecorder(options: { client: S3Client; bucket: string; partSize?: number; now?: () => number }): CallRecorder {
  const now = options.now ?? Date.now;
  return {
    open(span) {
      const startedAt = now();
      const recordingId = newRecordingId(startedAt);
      const upload = new WavUpload({
        client: options.client,
        bucket: options.bucket,
        key: recordingKey(span.tenant, span.conversationId, recordingId),
        partSize: options.partSize,
        metadata: {
          [RECORDING_METADATA.offsetSamples]: String(span.startSample),
          [RECORDING_METADATA.startedAt]: new Date(startedAt).toISOString(),
          [RECORDING_METADATA.customerStreamId]: span.streamIds.customer,
          [RECORDING_METADATA.agentStreamId]: span.streamIds.agent,
        },
      });
      return new SpanRecording({
        upload,
        startSample: span.startSample,
        logger: span.logger.createChild({ persistentKeys: { recordingId } }),
      });
    },
  };
}

/** Part uploads of a recording may take longer than a small request. */
const RECORDING_REQUEST_TIMEOUT_MS = 30_000;

/** The deployment-wide switch: recording needs CALL_RECORDING=allowed (the default) and a bucket. */
export function recorderFromConfig(
  config: Pick<GatewayConfig, 'CALL_RECORDING' | 'RECORDINGS_BUCKET'>,
  logger: AppLogger,
  client: () => S3Client = () => createS3Client({ requestTimeoutMs: RECORDING_REQUEST_TIMEOUT_MS }),
): CallRecorder | undefined {
  if (config.CALL_RECORDING === 'forbidden') return undefined;
  if (!config.RECORDINGS_BUCKET) {
    logger.info('RECORDINGS_BUCKET not set: calls are never recorded');
    return undefined;
  }
  return s3CallRecorder({ client: client(), bucket: config.RECORDINGS_BUCKET });
}
