import { eachLimited } from '#core/async/each-limited.ts';
import type { Role } from '#core/domain/participant.ts';
import { LIVE_PUBLISH_WRITES_PER_SECOND, LIVE_STALE_AFTER_MS, type LiveCallView, type LiveState } from '#core/domain/live-call.ts';
import type { AppLogger } from '#core/logger.ts';
import type { LiveCallsStore } from '#core/stores/live-calls.ts';
import { conversationKey } from '#core/stores/conversation-key.ts';
import { STREAM_STATUS } from '#core/contract/status-codes.ts';
import { samplesToMs } from '../audio/timeline.ts';
import type { AudioHookSession } from '../audiohook/session.ts';
import type { Call } from '../call.ts';
import type { LiveCalls } from '../live-calls.ts';
import type { UtteranceSink } from '../utterances/utterance-sink.ts';

/**
 * Publishes a view of every AudioHook session this task holds (docs/console.md) into the shared
 * `conversations` table, every `intervalMs` (spaced out past a write budget) while the session lives
 * and once more when it ends, so the console of any API task sees the calls of every gateway task.
 * It only reads the sessions and calls;
 * a failed write is retried at the next tick and never touches the call.
 */
export interface LivePublisherOptions {
  /** The server's sessions (probes included), read at each round. */
  sessions: () => ReadonlySet<AudioHookSession>;
  calls: LiveCalls;
  store: Pick<LiveCallsStore, 'publish' | 'end'>;
  intervalMs: number;
  /** Writes per second the rounds may cost on average (default {@link LIVE_PUBLISH_WRITES_PER_SECOND}). */
  writesPerSecond?: number;
  /** Writes in flight at once (default {@link LIVE_WRITES_IN_FLIGHT}). */
  concurrency?: number;
  logger: AppLogger;
  now?: () => number;
}

interface Tracked {
  conversationId: string;
  view: LiveCallView;
  /** Recognizer failures seen over the session's life, `role:code`. */
  errors: Map<string, LiveCallView['recognizerErrors'][number]>;
  /** The session's call as last seen: its counters keep the final figures after it leaves the registry. */
  call: Call | undefined;
}

/** Writes of one round in flight at once: a small share of the store client's 50 sockets. */
export const LIVE_WRITES_IN_FLIGHT = 8;

export class LivePublisher {
  private readonly tracked = new Map<AudioHookSession, Tracked>();
  /** Utterances recorded per conversation while its session is held here. */
  private readonly utterances = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private lastRoundWrites = 0;
  private readonly now: () => number;

  constructor(private readonly options: LivePublisherOptions) {
    this.now = options.now ?? Date.now;
  }

  /** The sink the calls record into, counting each conversation's utterances on the way. */
  countingSink(sink: UtteranceSink): UtteranceSink {
    return {
      record: (utterance) => {
        const key = conversationKey(utterance.conversationId);
        this.utterances.set(key, (this.utterances.get(key) ?? 0) + 1);
        return sink.record(utterance);
      },
    };
  }

  start(): void {
    const loop = () => {
      this.running = this.publish().finally(() => {
        if (!this.stopped) this.timer = setTimeout(loop, this.pauseAfterRound());
      });
    };
    this.timer = setTimeout(loop, 0);
  }

  /**
   * The interval, or longer when the last round's writes would exceed the write budget at that pace —
   * but never past half the age at which the console reports a silent view lost.
   */
  pauseAfterRound(): number {
    const budgeted = (this.lastRoundWrites * 1000) / (this.options.writesPerSecond ?? LIVE_PUBLISH_WRITES_PER_SECOND);
    return Math.max(this.options.intervalMs, Math.min(budgeted, LIVE_STALE_AFTER_MS / 2));
  }

  /** Stops the timer and publishes the final state of what is still tracked. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    await this.publish();
  }

  /** One round: refresh every live session's view, end the ones that went away. */
  async publish(): Promise<void> {
    const callOf = new Map<AudioHookSession, Call>();
    for (const call of this.options.calls.all()) callOf.set(call.session, call);
    const writes: Array<() => Promise<unknown>> = [];
    const seen = new Set<AudioHookSession>();

    // A call outlives its socket until its last results are recorded: it is live until then.
    for (const session of new Set([...this.options.sessions(), ...callOf.keys()])) {
      if (session.openedAt === undefined || session.conversationId === undefined) continue;
      seen.add(session);
      const tracked = this.track(session, callOf.get(session));
      const { conversationId, view } = tracked;
      writes.push(() => this.options.store.publish(conversationId, view));
    }
    for (const [session, tracked] of this.tracked) {
      if (seen.has(session)) continue;
      this.tracked.delete(session);
      // The final view is built from the call's final counters: audio and results that arrived after
      // the last round (the tail of the call) are counted too.
      const view = { ...this.viewOf(session, tracked), state: 'closed' as const };
      writes.push(() => this.options.store.end(tracked.conversationId, view));
      if (![...this.tracked.values()].some((t) => t.conversationId === tracked.conversationId))
        this.utterances.delete(tracked.conversationId);
    }

    // A few writes at a time: a round of a thousand sessions sent at once filled the store client's
    // socket pool for seconds, and the calls' own writes (utterances, registration, stop) queued behind
    // it timed out. The round takes longer instead, and the next one starts an interval after it ends.
    this.lastRoundWrites = writes.length;
    let failed = 0;
    let firstError: string | undefined;
    await eachLimited(writes, this.options.concurrency ?? LIVE_WRITES_IN_FLIGHT, async (write) => {
      try {
        await write();
      } catch (error) {
        failed++;
        firstError ??= (error as Error)?.name;
      }
    });
    if (failed > 0) this.options.logger.warn('live call views not published; retrying next round', { failed, error: firstError });
  }

  private track(session: AudioHookSession, call: Call | undefined): Tracked {
    const conversationId = conversationKey(session.conversationId!);
    let tracked = this.tracked.get(session);
    if (!tracked) {
      tracked = { conversationId, view: undefined as unknown as LiveCallView, errors: new Map(), call };
      this.tracked.set(session, tracked);
    }
    tracked.call = call ?? tracked.call;
    tracked.view = this.viewOf(session, tracked);
    return tracked;
  }

  private viewOf(session: AudioHookSession, tracked: Tracked): LiveCallView {
    const { call, conversationId } = tracked;
    for (const [role, status] of Object.entries(call?.transcriptionStatus ?? {})) {
      if (status && status.code !== STREAM_STATUS.OK) tracked.errors.set(`${role}:${status.code}`, { role: role as Role, ...status });
    }
    const openedAt = session.openedAt!;
    const openReceivedAt = session.openReceivedAt ?? openedAt;
    return {
      sessionId: session.sessionId,
      state: stateOf(session, call),
      probe: session.isProbe,
      participants: call?.presentRoles ?? [],
      openReceivedAt: new Date(openReceivedAt).toISOString(),
      openedAt: new Date(openedAt).toISOString(),
      openLatencyMs: Math.max(0, openedAt - openReceivedAt),
      receivedMs: {
        customer: Math.round(samplesToMs(call?.counters.receivedSamples.customer ?? 0)),
        agent: Math.round(samplesToMs(call?.counters.receivedSamples.agent ?? 0)),
      },
      discardedMs: Math.round(samplesToMs(call?.timeline.discardedSamples ?? 0)),
      discards: [...(call?.discards ?? [])],
      pauses: call?.counters.pauses ?? 0,
      utterances: this.utterances.get(conversationId) ?? 0,
      recognizerErrors: [...tracked.errors.values()],
      publishedAt: new Date(this.now()).toISOString(),
    };
  }
}

function stateOf(session: AudioHookSession, call: Call | undefined): LiveState {
  switch (session.state) {
    case 'paused':
      return 'paused';
    case 'active':
    case 'connected':
      return call?.isTranscribing ? 'transcribing' : 'open';
    default:
      return 'closing';
  }
}
