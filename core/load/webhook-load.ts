import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { RedactionOutput } from '../domain/transcription.ts';
import { webhookBody } from '../webhook/body.ts';
import type { DeliveryResult } from '../webhook/deliver.ts';
import { LoadStats } from './load-stats.ts';
import { syntheticCall } from './synthetic-call.ts';
import type { TimedUtterance } from './synthetic-call.ts';

/**
 * A webhook load run (`npm run webhook-load`): `calls` synthetic calls, started one after another over
 * the ramp so the load climbs from one call to all of them, each sending its utterances as the service
 * would (the queued body, byte for byte; one conversation's messages one after another, as the webhook
 * function sends them) until the run's end. A slow target makes a call fall behind its schedule rather
 * than send out of order; how far behind is measured as lag.
 */

export interface LoadPlan {
  calls: number;
  durationMs: number;
  /** Calls start evenly spread over this time; 0 starts them all at once. */
  rampMs: number;
  utterancesPerMinute: number;
  seed: number;
  redactionOutput: RedactionOutput;
}

export interface LoadRunOptions {
  deliver(body: string): Promise<DeliveryResult>;
  /** Width of the windows the breaking point is judged in. */
  windowMs: number;
  /** Stops the run: calls send nothing more; requests in flight finish. */
  signal?: AbortSignal;
  /** Called at once with the live statistics, for progress lines. */
  onStats?: (stats: LoadStats) => void;
}

export interface PlannedCall {
  conversationId: string;
  startMs: number;
  utterances: TimedUtterance[];
}

export function planLoad(plan: LoadPlan): PlannedCall[] {
  return Array.from({ length: plan.calls }, (_, i) => {
    const startMs = plan.calls > 1 ? Math.round((plan.rampMs * i) / (plan.calls - 1)) : 0;
    const conversationId = randomUUID();
    return {
      conversationId,
      startMs,
      utterances: syntheticCall({
        conversationId,
        durationMs: Math.max(0, plan.durationMs - startMs),
        utterancesPerMinute: plan.utterancesPerMinute,
        seed: plan.seed + i,
        redactionOutput: plan.redactionOutput,
        startedAt: Date.now() + startMs,
      }),
    };
  });
}

export async function runWebhookLoad(calls: readonly PlannedCall[], options: LoadRunOptions): Promise<LoadStats> {
  const stats = new LoadStats(options.windowMs);
  options.onStats?.(stats);
  const t0 = performance.now();
  const elapsed = () => performance.now() - t0;

  // One abort listener for every sleeping call (a listener per sleep would pile up on the signal).
  const sleepers = new Set<() => void>();
  options.signal?.addEventListener(
    'abort',
    () => {
      for (const wake of sleepers) wake();
    },
    { once: true },
  );
  const wait = (untilMs: number): Promise<void> =>
    new Promise((resolve) => {
      const delay = untilMs - elapsed();
      if (delay <= 0 || options.signal?.aborted) return resolve();
      const wake = () => {
        clearTimeout(timer);
        sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, delay);
      sleepers.add(wake);
    });

  const runCall = async (call: PlannedCall): Promise<void> => {
    await wait(call.startMs);
    if (options.signal?.aborted) return;
    stats.callStarted(elapsed());
    try {
      for (const { atMs, utterance } of call.utterances) {
        const due = call.startMs + atMs;
        await wait(due);
        if (options.signal?.aborted) return;
        const body = JSON.stringify(webhookBody(utterance));
        const sentAt = elapsed();
        const load = stats.sending(sentAt, Math.max(0, sentAt - due));
        const result = await options.deliver(body).catch((): DeliveryResult => ({ ok: false, reason: 'internal error', latencyMs: 0 }));
        const outcome = result.ok ? 'delivered' : result.reason === 'timeout' ? 'timeout' : 'failed';
        stats.settled(sentAt, load, outcome, result.latencyMs, result.reason);
      }
    } finally {
      stats.callEnded();
    }
  };

  await Promise.all(calls.map(runCall));
  return stats;
}
