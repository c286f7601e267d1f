/**
 * A per-connection budget for repeated warnings. A peer decides how often it breaks the protocol, so
 * without a budget it decides how much we log: each kind of warning is logged a few times per
 * connection, the rest only counted and reported once when the connection ends.
 */
export class WarnLimiter {
  readonly #counts = new Map<string, number>();

  constructor(private readonly perKind = 5) {}

  /** Counts one warning of this kind; true while it may still be logged. */
  allow(kind: string): boolean {
    const count = (this.#counts.get(kind) ?? 0) + 1;
    this.#counts.set(kind, count);
    return count <= this.perKind;
  }

  /** Warnings that were counted but not logged, by kind; undefined when none were held back. */
  suppressed(): Record<string, number> | undefined {
    const out: Record<string, number> = {};
    for (const [kind, count] of this.#counts) if (count > this.perKind) out[kind] = count - this.perKind;
    return Object.keys(out).length > 0 ? out : undefined;
  }
}
