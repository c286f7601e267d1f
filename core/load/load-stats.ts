/**
 * What a webhook load run measured: outcome counts, latency percentiles, and per time window the load
 * (live calls, requests in flight) next to the failures, which is how the breaking point is found.
 */

export type Outcome = 'delivered' | 'failed' | 'timeout';

export interface WindowStats {
  /** Seconds from the start of the run at which the window begins. */
  fromS: number;
  sent: number;
  failed: number;
  timeouts: number;
  /** Most calls live at once in the window. */
  calls: number;
  /** Most requests in flight at once in the window. */
  inFlight: number;
  /** The load when the window's first failing request was sent. */
  firstFailureLoad?: Load;
  firstFailureAt?: number;
}

/** The load one request met: live calls when it was sent, and the most requests in flight while it was. */
export interface Load {
  calls: number;
  inFlight: number;
}

/** Where the target started to fail: the load when the first failing request of that window was sent. */
export interface BreakingPoint {
  atS: number;
  calls: number;
  inFlight: number;
  /** Failed and timed-out requests of the window, in percent of those sent in it. */
  failurePct: number;
}

export interface LoadSummary {
  target: string;
  authModes: string[];
  calls: number;
  minutes: number;
  utterancesPerMinute: number;
  planned: number;
  sent: number;
  delivered: number;
  failed: number;
  timeouts: number;
  /** Sent late because the call's previous message was still in flight: how far behind, p95 and max. */
  lagMsP95: number;
  lagMsMax: number;
  latencyMs: { p50: number; p90: number; p95: number; p99: number; max: number };
  /** Failure reasons and how often each occurred (`status 503`, `timeout`, `ECONNREFUSED`, …). */
  reasons: Record<string, number>;
  peakCalls: number;
  peakInFlight: number;
  /** The first window whose failures (with timeouts) exceeded the threshold; null if none did. */
  breakingPoint: BreakingPoint | null;
  failThresholdPct: number;
  durationS: number;
  /** True when the run was stopped early (Ctrl-C). */
  interrupted: boolean;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

const round = (v: number) => Math.round(v * 10) / 10;

export class LoadStats {
  readonly windows: WindowStats[] = [];
  private readonly latencies: number[] = [];
  private readonly lags: number[] = [];
  /** Requests in flight, each raising its own peak as others join (at most one per live call). */
  private readonly outstanding = new Set<Load>();
  readonly reasons = new Map<string, number>();
  sent = 0;
  delivered = 0;
  failed = 0;
  timeouts = 0;
  calls = 0;
  inFlight = 0;
  peakCalls = 0;
  peakInFlight = 0;

  constructor(private readonly windowMs: number) {}

  private window(atMs: number): WindowStats {
    const index = Math.floor(atMs / this.windowMs);
    while (this.windows.length <= index) {
      this.windows.push({
        fromS: (this.windows.length * this.windowMs) / 1000,
        sent: 0,
        failed: 0,
        timeouts: 0,
        calls: this.calls,
        inFlight: this.inFlight,
      });
    }
    return this.windows[index]!;
  }

  callStarted(atMs: number): void {
    this.calls++;
    this.peakCalls = Math.max(this.peakCalls, this.calls);
    const w = this.window(atMs);
    w.calls = Math.max(w.calls, this.calls);
  }

  callEnded(): void {
    this.calls--;
  }

  /** A request leaves; `lagMs` is how much later than its schedule. */
  sending(atMs: number, lagMs: number): Load {
    this.sent++;
    this.inFlight++;
    this.peakInFlight = Math.max(this.peakInFlight, this.inFlight);
    this.lags.push(lagMs);
    const w = this.window(atMs);
    w.sent++;
    w.inFlight = Math.max(w.inFlight, this.inFlight);
    w.calls = Math.max(w.calls, this.calls);
    const load: Load = { calls: this.calls, inFlight: this.inFlight };
    for (const other of this.outstanding) other.inFlight = Math.max(other.inFlight, this.inFlight);
    this.outstanding.add(load);
    return load;
  }

  /** Counted in the window the request was sent in: that is the load that caused it. */
  settled(sentAtMs: number, load: Load, outcome: Outcome, latencyMs: number, reason: string): void {
    this.inFlight--;
    this.outstanding.delete(load);
    const w = this.window(sentAtMs);
    if (outcome === 'delivered') {
      this.delivered++;
      this.latencies.push(latencyMs);
      return;
    }
    // Requests of one window settle out of order: keep the failing one sent first.
    if (!w.firstFailureLoad || (w.firstFailureAt ?? Infinity) > sentAtMs) {
      w.firstFailureLoad = load;
      w.firstFailureAt = sentAtMs;
    }
    if (outcome === 'timeout') {
      this.timeouts++;
      w.timeouts++;
    } else {
      this.failed++;
      w.failed++;
    }
    this.reasons.set(reason, (this.reasons.get(reason) ?? 0) + 1);
  }

  breakingPoint(thresholdPct: number): BreakingPoint | null {
    for (const w of this.windows) {
      const bad = w.failed + w.timeouts;
      if (bad === 0 || w.sent === 0) continue;
      const rate = bad / w.sent;
      if (rate * 100 > thresholdPct) {
        const load = w.firstFailureLoad ?? w;
        return {
          atS: round((w.firstFailureAt ?? w.fromS * 1000) / 1000),
          calls: load.calls,
          inFlight: load.inFlight,
          failurePct: round(rate * 100),
        };
      }
    }
    return null;
  }

  summary(
    base: Pick<
      LoadSummary,
      'target' | 'authModes' | 'calls' | 'minutes' | 'utterancesPerMinute' | 'planned' | 'durationS' | 'interrupted' | 'failThresholdPct'
    >,
  ): LoadSummary {
    const lat = [...this.latencies].sort((a, b) => a - b);
    const lags = [...this.lags].sort((a, b) => a - b);
    return {
      ...base,
      sent: this.sent,
      delivered: this.delivered,
      failed: this.failed,
      timeouts: this.timeouts,
      lagMsP95: round(percentile(lags, 95)),
      lagMsMax: round(lags.at(-1) ?? 0),
      latencyMs: {
        p50: round(percentile(lat, 50)),
        p90: round(percentile(lat, 90)),
        p95: round(percentile(lat, 95)),
        p99: round(percentile(lat, 99)),
        max: round(lat.at(-1) ?? 0),
      },
      reasons: Object.fromEntries([...this.reasons].sort((a, b) => b[1] - a[1])),
      peakCalls: this.peakCalls,
      peakInFlight: this.peakInFlight,
      breakingPoint: this.breakingPoint(base.failThresholdPct),
    };
  }
}
