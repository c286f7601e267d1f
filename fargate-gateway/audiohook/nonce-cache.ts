/**
 * Replay cache for signature nonces (AudioHook §4.4, Policy: the reference keeps none).
 *
 * A nonce only needs remembering while a signature carrying it could still verify; after that the
 * time checks reject the replay on their own. Signatures live about 7 s, so the cache stays small in
 * practice; the cap only guards against a key holder minting valid signatures in bulk.
 */
export interface NonceCacheOptions {
  /** Most nonces held at once; the oldest are evicted beyond it. */
  maxEntries?: number;
}

export const DEFAULT_MAX_NONCES = 100_000;

/** Where used nonces are remembered: this task's memory (NonceCache) or a table every task shares. */
export interface ReplayCache {
  /** True when `nonce` was not live and is now recorded until `until`; false for a replay. */
  checkAndRemember(nonce: string, until: number, now: number): boolean | Promise<boolean>;
}

export class NonceCache implements ReplayCache {
  readonly #maxEntries: number;
  // Map keeps insertion order, and with near-uniform lifetimes insertion order is close to expiry
  // order, so the oldest entries are both the first to expire and the ones to evict.
  readonly #until = new Map<string, number>();

  constructor(options: NonceCacheOptions = {}) {
    const maxEntries = options.maxEntries ?? DEFAULT_MAX_NONCES;
    if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) {
      throw new RangeError(`maxEntries must be a positive integer, got ${maxEntries}`);
    }
    this.#maxEntries = maxEntries;
  }

  get size(): number {
    return this.#until.size;
  }

  /**
   * Records `nonce` as used until `until` (unix seconds, inclusive) and returns true, or returns false
   * when it was already recorded and is still live, i.e. the request is a replay.
   */
  checkAndRemember(nonce: string, until: number, now: number): boolean {
    this.#sweep(now);
    const seenUntil = this.#until.get(nonce);
    if (seenUntil !== undefined && seenUntil >= now) return false;
    // Re-insert rather than overwrite so the entry moves to the young end of the order.
    this.#until.delete(nonce);
    if (this.#until.size >= this.#maxEntries) {
      const oldest = this.#until.keys().next();
      if (!oldest.done) this.#until.delete(oldest.value);
    }
    this.#until.set(nonce, until);
    return true;
  }

  clear(): void {
    this.#until.clear();
  }

  // Stops at the first live entry: amortised O(1), and an entry that outlives younger ones is simply
  // dropped a little later, or found expired on lookup.
  #sweep(now: number): void {
    for (const [nonce, until] of this.#until) {
      if (until >= now) return;
      this.#until.delete(nonce);
    }
  }
}
