import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';

/** A file being written; text is appended in order and the object appears only on `close`. */
export interface ObjectSink {
  /** Resolves once the chunk is accepted; undefined when it was taken without waiting (the common case). */
  write(chunk: string): Promise<void> | undefined;
  /** Finishes the object; resolves with its size once it is stored. */
  close(): Promise<{ bytes: number }>;
  /** Drops the object; nothing is left behind. */
  abort(): Promise<void>;
}

export type OpenSink = (key: string, contentType: string) => ObjectSink;

export interface MultipartOptions {
  /** 5 MiB is S3's minimum for every part but the last. */
  partSize?: number;
  /** Parts uploaded concurrently; memory held is about (queueSize + 1) × partSize per open file. */
  queueSize?: number;
}

const MIB = 1024 * 1024;

/**
 * Streams an object to S3 with multipart upload (lib-storage), so a file of any size costs a few parts
 * of memory; a file smaller than one part becomes a single PutObject.
 */
export function s3MultipartSink(client: S3Client, bucket: string, options: MultipartOptions = {}): OpenSink {
  return (key, contentType) => {
    // Small on purpose: the upload's part buffers are the real buffer; this only smooths handing over.
    const body = new PassThrough({ highWaterMark: 256 * 1024 });
    const upload = new Upload({
      client,
      params: { Bucket: bucket, Key: key, Body: body, ContentType: contentType },
      partSize: options.partSize ?? 5 * MIB,
      queueSize: options.queueSize ?? 2,
      leavePartsOnError: false,
    });
    const done = upload.done();
    // Seen by whoever waits on the stream next; without this a failure before close() would be unhandled.
    let failure: unknown;
    done.catch((error: unknown) => {
      failure = error;
      body.destroy();
    });
    let bytes = 0;

    async function drained(): Promise<void> {
      try {
        await once(body, 'drain');
      } catch {
        // The stream was destroyed because the upload failed; report the upload's error.
      }
      if (failure) throw failure;
    }

    return {
      write(chunk) {
        if (failure) return Promise.reject(failure);
        bytes += Buffer.byteLength(chunk, 'utf8');
        return body.write(chunk, 'utf8') ? undefined : drained();
      },
      async close() {
        body.end();
        await done;
        return { bytes };
      },
      async abort() {
        try {
          await upload.abort();
        } catch {
          // Aborting an upload that already failed or finished has nothing left to clean.
        }
        body.destroy();
        await done.catch(() => undefined);
      },
    };
  };
}
