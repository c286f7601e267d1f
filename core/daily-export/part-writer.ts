import type { FeedEncoder } from './feed-encoder.ts';
import { CONTENT_TYPES, partKey, type FeedFormat } from './feed-layout.ts';
import type { FeedRow } from './feed-row.ts';
import type { ObjectSink, OpenSink } from './object-sink.ts';

export interface WrittenFile {
  key: string;
  format: FeedFormat;
  hour: number;
  rows: number;
  bytes: number;
}

export interface PartWriterOptions {
  root: string;
  format: FeedFormat;
  date: string;
  hour: number;
  rowsPerFile: number;
  encoder: FeedEncoder;
  open: OpenSink;
}

/** Rows are handed to the sink in chunks of about this many characters: one stream write per row would dominate. */
const FLUSH_CHARS = 64 * 1024;

/**
 * The part files of one format in one hour (and tenant): `part-0000` is opened with the first row and a
 * new part starts every `rowsPerFile` rows. A finished part completes in the background while the next
 * one fills, at most one at a time, so memory stays at a couple of parts.
 */
export class PartWriter {
  private sink: ObjectSink | undefined;
  private key = '';
  private part = 0;
  private rowsInPart = 0;
  private pending = '';
  private finishing: Promise<void> | undefined;
  private readonly files: WrittenFile[] = [];

  constructor(private readonly options: PartWriterOptions) {}

  /** Undefined when the row was taken without waiting. */
  add(row: FeedRow): Promise<void> | undefined {
    if (!this.sink) this.openPart();
    this.pending += this.options.encoder.record(row);
    this.rowsInPart += 1;
    if (this.rowsInPart >= this.options.rowsPerFile) return this.finishPart();
    if (this.pending.length >= FLUSH_CHARS) return this.flush();
    return undefined;
  }

  /** Completes the last part; returns every file this writer stored. */
  async close(): Promise<WrittenFile[]> {
    if (this.sink) await this.finishPart();
    await this.finishing;
    return this.files;
  }

  async abort(): Promise<void> {
    const sink = this.sink;
    this.sink = undefined;
    await Promise.allSettled([sink?.abort(), this.finishing]);
  }

  private openPart(): void {
    const { root, format, date, hour, encoder, open } = this.options;
    this.key = partKey(root, format, date, hour, this.part);
    this.sink = open(this.key, CONTENT_TYPES[format]);
    this.rowsInPart = 0;
    this.pending = encoder.header;
  }

  private flush(): Promise<void> | undefined {
    const chunk = this.pending;
    this.pending = '';
    return chunk === '' ? undefined : this.sink!.write(chunk);
  }

  private async finishPart(): Promise<void> {
    await this.flush();
    // At most one part completes in the background; a failure of the previous one surfaces here.
    await this.finishing;
    const sink = this.sink!;
    const file = { key: this.key, format: this.options.format, hour: this.options.hour, rows: this.rowsInPart };
    this.sink = undefined;
    this.part += 1;
    this.finishing = sink.close().then(({ bytes }) => {
      this.files.push({ ...file, bytes });
    });
    // Observed by the next finishPart or close; this keeps an early failure from going unhandled meanwhile.
    this.finishing.catch(() => undefined);
  }
}
