import {
  CreateBucketCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { s3MultipartSink, type MultipartOptions, type OpenSink } from './object-sink.ts';

/** The exports bucket as the exporter, the retention sweep and the File Exporter endpoints use it. */
export interface BucketObject {
  key: string;
  lastModified?: Date;
}

export interface ExportBucket {
  readonly name: string;
  /** A new object streamed with multipart upload. */
  open: OpenSink;
  /** Every object under `prefix`, in key order. */
  list(prefix: string): AsyncIterable<BucketObject>;
  /** The next path level under `prefix` (`ListObjectsV2` with `Delimiter="/"`): common prefixes, each ending in `/`. */
  listChildren(prefix: string): AsyncIterable<string>;
  exists(key: string): Promise<boolean>;
  presignGet(key: string, expiresInSeconds: number): Promise<string>;
  delete(keys: readonly string[]): Promise<void>;
}

/** DeleteObjects takes at most 1,000 keys. */
const DELETE_BATCH = 1_000;

export function createExportBucket(client: S3Client, name: string, multipart: MultipartOptions = {}): ExportBucket {
  async function* pages(prefix: string, delimiter?: string) {
    let ContinuationToken: string | undefined;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: name, Prefix: prefix, Delimiter: delimiter, ContinuationToken }));
      yield page;
      ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (ContinuationToken);
  }

  return {
    name,
    open: s3MultipartSink(client, name, multipart),
    async *list(prefix) {
      for await (const page of pages(prefix)) {
        for (const object of page.Contents ?? []) if (object.Key) yield { key: object.Key, lastModified: object.LastModified };
      }
    },
    async *listChildren(prefix) {
      for await (const page of pages(prefix, '/')) {
        for (const common of page.CommonPrefixes ?? []) if (common.Prefix) yield common.Prefix;
      }
    },
    async exists(key) {
      try {
        await client.send(new HeadObjectCommand({ Bucket: name, Key: key }));
        return true;
      } catch (error) {
        if (isNotFound(error)) return false;
        throw error;
      }
    },
    presignGet(key, expiresInSeconds) {
      return getSignedUrl(client, new GetObjectCommand({ Bucket: name, Key: key }), { expiresIn: expiresInSeconds });
    },
    async delete(keys) {
      for (let i = 0; i < keys.length; i += DELETE_BATCH) {
        const batch = keys.slice(i, i + DELETE_BATCH);
        const result = await client.send(
          new DeleteObjectsCommand({ Bucket: name, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }),
        );
        const failed = result.Errors ?? [];
        if (failed.length > 0)
          throw new Error(`could not delete ${failed.length} of ${batch.length} objects (${failed[0]?.Code ?? 'unknown'})`);
      }
    },
  };
}

/** Creates the bucket when it is missing. Local runtime and tests only: in AWS the stack owns it. */
export async function ensureBucket(client: S3Client, name: string): Promise<void> {
  try {
    await client.send(new HeadBucketCommand({ Bucket: name }));
    return;
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  try {
    await client.send(new CreateBucketCommand({ Bucket: name }));
  } catch (error) {
    const code = (error as Error).name;
    if (code !== 'BucketAlreadyOwnedByYou' && code !== 'BucketAlreadyExists') throw error;
  }
}

function isNotFound(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NotFound' || e?.name === 'NoSuchKey' || e?.name === 'NoSuchBucket' || e?.$metadata?.httpStatusCode === 404;
}
