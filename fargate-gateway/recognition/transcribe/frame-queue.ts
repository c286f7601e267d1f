/**
 * Single-consumer async queue between the synchronous `write()` path and the SDK pulling audio. The SDK
 * pulls as fast as HTTP/2 flow control lets it, so the queue only fills while a stream is starting,
 * backing off or stalled; past `capacity` the oldest items are dropped instead of growing without bound.
 */
export class FrameQueue<T> {
  private items: T[] = [];
  private waiter: ((item: T | undefined) => void) | undefined;
  private closed = false;
  private stopped = false;

  constructor(
    private readonly capacity: number,
    private readonly onOverflow: (dropped: T) => void,
  ) {}

  push(item: T): void {
    if (this.waiter && !this.stopped) {
      const waiter = this.waiter;
      this.waiter = undefined;
      waiter(item);
      return;
    }
    this.items.push(item);
    if (this.items.length > this.capacity) this.onOverflow(this.items.shift() as T);
  }

  /** No more items will be pushed: the consumer gets the rest, then `undefined`. */
  close(): void {
    this.closed = true;
    this.release();
  }

  /**
   * The consumer is gone (its stream failed or was aborted): a pending `next()` ends now so no item is
   * handed to a dead stream. Items pushed before or after stay for `drain()`.
   */
  stop(): void {
    this.stopped = true;
    this.release();
  }

  /** Resolves with the next item, or `undefined` once closed and empty, or stopped. */
  next(): Promise<T | undefined> {
    if (this.stopped) return Promise.resolve(undefined);
    if (this.items.length > 0) return Promise.resolve(this.items.shift());
    if (this.closed) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }

  /** Removes and returns everything not yet consumed. */
  drain(): T[] {
    const items = this.items;
    this.items = [];
    return items;
  }

  private release(): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.(undefined);
  }
}
