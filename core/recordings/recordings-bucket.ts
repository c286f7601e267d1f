import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { RECORDING_METADATA, recordingIdOf, recordingsPrefix } from './layout.ts';

/** A stored recording as the API lists it (before it is shaped into the response). */
interface StoredRecording {
  recordingId: string;
  key: string;
  bytes: number;
  lastModified: Date | undefined;
  /** From the object's metadata (absent when a writer did not set them). */
  offsetSamples?: number;
  startedAt?: string;
  customerStreamId?: string;
  agentStreamId?: string;
}

/** What the recordings route reads: a conversation's recordings, and download links to them. */
export interface RecordingsBucket {
  /** A conversation's recordings in call order, at most `limit`. */
  list(tenant: string, conversation: string, limit: number): Promise<StoredRecording[]>;
  presignGet(key: string, expiresInSeconds: number): Promise<string>;
}

export function createRecordingsBucket(client: S3Client, bucket: string): RecordingsBucket {
  return {
    async list(tenant, conversation, limit) {
      const prefix = recordingsPrefix(tenant, conversation);
      const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, MaxKeys: limit }));
      const objects = (listed.Contents ?? []).flatMap((o) => {
        const recordingId = o.Key ? recordingIdOf(o.Key, prefix) : undefined;
        return recordingId ? [{ recordingId, key: o.Key!, bytes: o.Size ?? 0, lastModified: o.LastModified }] : [];
      });
      return Promise.all(
        objects.map(async (object): Promise<StoredRecording> => {
          const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: object.key }));
          const meta = head.Metadata ?? {};
          const offset = Number(meta[RECORDING_METADATA.offsetSamples]);
          return {
            ...object,
            ...(Number.isSafeInteger(offset) && offset >= 0 ? { offsetSamples: offset } : {}),
            ...optional('startedAt', meta[RECORDING_METADATA.startedAt]),
            ...optional('customerStreamId', meta[RECORDING_METADATA.customerStreamId]),
            ...optional('agentStreamId', meta[RECORDING_METADATA.agentStreamId]),
          };
        }),
      );
    },
    presignGet(key, expiresInSeconds) {
      return getSignedUrl(client, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn: expiresInSeconds });
    },
  };
}

function optional<K extends string>(name: K, value: string | undefined): Partial<Record<K, string>> {
  return value ? ({ [name]: value } as Record<K, string>) : {};
}
