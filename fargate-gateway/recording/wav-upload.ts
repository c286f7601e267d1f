import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
  type CompletedPart,
  type S3Client,
} from '@aws-sdk/client-s3';
import { MAX_WAV_DATA_BYTES, WAV_HEADER_BYTES, wavHeader } from '#core/recordings/wav.ts';

/**
 * One WAV object streamed to S3 while its audio arrives. The header needs the total size, which is
 * known only at the end, so the first part (header + the first audio) is held back and uploaded last:
 * S3 orders parts by number, not by upload time. Audio after the first part goes up part by part as
 * each fills. A recording shorter than one part becomes a single PutObject.
 *
 * Memory: the first part, the part being filled, and at most `maxInFlight` parts being uploaded; the
 * caller awaits `append`, so a slow S3 slows the writer instead of growing a buffer.
 */

export interface WavUploadOptions {
  client: S3Client;
  bucket: string;
  key: string;
  /** Object metadata (x-amz-meta-*). */
  metadata: Record<string, string>;
  /** Part size; S3 requires at least 5 MiB for every part but the last. */
  partSize?: number;
  /** Parts uploading at once before `append` waits. */
  maxInFlight?: number;
}

export const MIN_PART_BYTES = 5 * 1024 * 1024;
const CONTENT_TYPE = 'audio/wav';

export class WavUpload {
  private readonly partSize: number;
  private readonly maxInFlight: number;
  /** Audio of part 1 (after the header), held until the end. */
  private readonly head: Buffer[] = [];
  private headBytes = 0;
  /** The part being filled (parts 2…). */
  private current: Buffer[] = [];
  private currentBytes = 0;
  private dataBytes = 0;
  private uploadId: Promise<string> | undefined;
  private nextPartNumber = 2;
  private readonly parts: CompletedPart[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private failure: unknown;

  constructor(private readonly options: WavUploadOptions) {
    this.partSize = options.partSize ?? MIN_PART_BYTES;
    this.maxInFlight = options.maxInFlight ?? 2;
    if (this.partSize <= WAV_HEADER_BYTES) throw new RangeError('partSize too small');
  }

  /** Audio bytes appended so far. */
  get bytes(): number {
    return this.dataBytes;
  }

  /** Appends audio; resolves when it is taken (waits while too many parts are uploading). Rejects once the upload failed. */
  async append(chunk: Buffer): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.dataBytes + chunk.length > MAX_WAV_DATA_BYTES) throw new RangeError('recording longer than a WAV file can hold');
    this.dataBytes += chunk.length;
    let rest = chunk;
    const headRoom = this.partSize - WAV_HEADER_BYTES - this.headBytes;
    if (headRoom > 0) {
      const taken = rest.subarray(0, headRoom);
      this.head.push(taken);
      this.headBytes += taken.length;
      rest = rest.subarray(taken.length);
    }
    while (rest.length > 0) {
      const room = this.partSize - this.currentBytes;
      const taken = rest.subarray(0, room);
      this.current.push(taken);
      this.currentBytes += taken.length;
      rest = rest.subarray(taken.length);
      if (this.currentBytes === this.partSize) await this.sendCurrent();
    }
  }

  /** Writes the header and completes the object; resolves with its size in bytes. */
  async close(): Promise<{ bytes: number }> {
    if (this.failure) throw this.failure;
    const { client, bucket, key, metadata } = this.options;
    const header = wavHeader(this.dataBytes);
    if (!this.uploadId && this.currentBytes === 0) {
      // Everything fits in the first part: one PutObject.
      await client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: Buffer.concat([header, ...this.head]),
          ContentType: CONTENT_TYPE,
          Metadata: metadata,
        }),
      );
      return { bytes: WAV_HEADER_BYTES + this.dataBytes };
    }
    try {
      if (this.currentBytes > 0) await this.sendCurrent();
      await this.uploadPart(1, Buffer.concat([header, ...this.head]));
      while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
      if (this.failure) throw this.failure;
      const parts = [...this.parts].sort((a, b) => a.PartNumber! - b.PartNumber!);
      await client.send(
        new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: await this.uploadId, MultipartUpload: { Parts: parts } }),
      );
    } catch (error) {
      await this.abort();
      throw error;
    }
    return { bytes: WAV_HEADER_BYTES + this.dataBytes };
  }

  /** Drops the object: a multipart upload is aborted, so no parts are left (and billed) behind. */
  async abort(): Promise<void> {
    this.failure ??= new Error('recording aborted');
    this.head.length = 0;
    this.current = [];
    if (!this.uploadId) return;
    await Promise.allSettled([...this.inFlight]);
    try {
      const UploadId = await this.uploadId;
      await this.options.client.send(new AbortMultipartUploadCommand({ Bucket: this.options.bucket, Key: this.options.key, UploadId }));
    } catch {
      // Nothing more to do: the bucket's lifecycle rule removes incomplete uploads after a day.
    }
  }

  private async sendCurrent(): Promise<void> {
    const body = Buffer.concat(this.current);
    this.current = [];
    this.currentBytes = 0;
    while (this.inFlight.size >= this.maxInFlight) await Promise.race([...this.inFlight]);
    if (this.failure) throw this.failure;
    const partNumber = this.nextPartNumber++;
    const sent = this.uploadPart(partNumber, body);
    this.inFlight.add(sent);
    void sent.finally(() => this.inFlight.delete(sent));
  }

  private uploadPart(PartNumber: number, Body: Buffer): Promise<void> {
    const { client, bucket, key, metadata } = this.options;
    this.uploadId ??= client
      .send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: CONTENT_TYPE, Metadata: metadata }))
      .then((created) => created.UploadId!);
    return this.uploadId
      .then((UploadId) => client.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber, Body })))
      .then((uploaded) => void this.parts.push({ PartNumber, ETag: uploaded.ETag }))
      .catch((error: unknown) => {
        this.failure ??= error;
      });
  }
}
