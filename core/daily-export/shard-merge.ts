/**
 * Reads the 16 shards of one hour concurrently and yields their items as one sequence ordered by
 * `messageId` (each shard's query is already in that order). Every shard reads ahead a bounded number
 * of items so its next page is being fetched while the others are consumed; memory is at most that
 * window plus the page each query holds.
 */
export interface Keyed {
  messageId: string;
}

/** Enough to have a shard's next page requested while 250 items remain; more only adds to the 16 pages already held. */
export const DEFAULT_READ_AHEAD = 250;

class ReadAhead<T> {
  private items: T[] = [];
  private head = 0;
  private finished = false;
  private failure: unknown;
  private wakeReader: (() => void) | undefined;
  private wakeProducer: (() => void) | undefined;
  private stopped = false;
  private readonly iterator: AsyncIterator<T>;

  constructor(
    source: AsyncIterable<T>,
    private readonly limit: number,
  ) {
    this.iterator = source[Symbol.asyncIterator]();
    void this.pump();
  }

  get size(): number {
    return this.items.length - this.head;
  }

  /** The next item without taking it; undefined once the source is exhausted. Throws the source's error. */
  async peek(): Promise<T | undefined> {
    while (this.size === 0 && !this.finished) await new Promise<void>((resolve) => (this.wakeReader = resolve));
    if (this.size === 0 && this.failure !== undefined) throw this.failure;
    return this.size > 0 ? this.items[this.head] : undefined;
  }

  /** The next item when one is buffered: the path that needs no await. */
  first(): T | undefined {
    return this.size > 0 ? this.items[this.head] : undefined;
  }

  /** Only after `peek` or `first` returned an item. */
  take(): T {
    const item = this.items[this.head];
    this.items[this.head] = undefined as T;
    this.head += 1;
    if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    if (this.size < this.limit) this.wake('producer');
    return item;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake('producer');
    await this.iterator.return?.();
  }

  private async pump(): Promise<void> {
    try {
      while (!this.stopped) {
        const next = await this.iterator.next();
        if (next.done) break;
        this.items.push(next.value);
        this.wake('reader');
        while (this.size >= this.limit && !this.stopped) await new Promise<void>((resolve) => (this.wakeProducer = resolve));
      }
    } catch (error) {
      this.failure = error ?? new Error('shard query failed');
    } finally {
      this.finished = true;
      this.wake('reader');
    }
  }

  private wake(who: 'reader' | 'producer'): void {
    const resolve = who === 'reader' ? this.wakeReader : this.wakeProducer;
    if (who === 'reader') this.wakeReader = undefined;
    else this.wakeProducer = undefined;
    resolve?.();
  }
}

export async function* mergeByMessageId<T extends Keyed>(
  sources: readonly AsyncIterable<T>[],
  readAhead = DEFAULT_READ_AHEAD,
): AsyncGenerator<T> {
  const readers = sources.map((source) => new ReadAhead(source, readAhead));
  let live = readers.slice();
  try {
    while (live.length > 0) {
      let best: ReadAhead<T> | undefined;
      let bestId = '';
      const exhausted: ReadAhead<T>[] = [];
      for (const reader of live) {
        const item = reader.first() ?? (await reader.peek());
        if (item === undefined) {
          exhausted.push(reader);
          continue;
        }
        if (best === undefined || item.messageId < bestId) {
          best = reader;
          bestId = item.messageId;
        }
      }
      if (exhausted.length > 0) live = live.filter((r) => !exhausted.includes(r));
      if (best) yield best.take();
    }
  } finally {
    await Promise.allSettled(readers.map((r) => r.stop()));
  }
}
