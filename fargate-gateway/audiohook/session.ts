import type { AppLogger } from '#core/logger.ts';
import { parseDuration } from './duration.ts';
import { selectMedia, type SelectedMedia } from './media.ts';
import { WarnLimiter } from './warn-limiter.ts';
import {
  PROBE_CONVERSATION_ID,
  PROTOCOL_VERSION,
  parseClientMessage,
  parseOpenParameters,
  type ClientMessage,
  type DisconnectReason,
  type OpenParameters,
  type ServerMessage,
  type ServerMessageType,
} from './messages.ts';

/**
 * One AudioHook Monitor session on one WebSocket (docs/audiohook-protocol.md §5–§9, §13, §16).
 *
 * The session owns only the protocol: envelope, sequence numbers, the state machine, timers and the
 * replies a strict Genesys client expects. What the call does with audio and recognition lives in the
 * `SessionHandler` (see fargate-gateway/call.ts), so the protocol can be tested on its own.
 */

/** One entity of an `event` message (§18), e.g. a `transcript`. */
export interface EventEntity {
  type: string;
  data: unknown;
}

export type SessionState = 'connected' | 'active' | 'paused' | 'closing' | 'closed' | 'finalized';

export interface Transport {
  send(text: string): void;
  /** Graceful WebSocket close. */
  close(code: number, reason: string): void;
  /** Drop the connection at once (abandoned client). */
  terminate(): void;
}

export interface SessionHandler {
  /** `opened` has been sent. Never called for a connection probe. Slow work belongs in the background. */
  opened(open: OpenParameters, media: SelectedMedia | undefined): void;
  /** One binary frame while streaming. */
  audio(frame: Uint8Array): void;
  /** Audio skipped by the client: `discarded`, and the pause span reported in `resumed` (§11). */
  discarded(seconds: number): void;
  paused(): void;
  resumed(): void;
  /** `update` (§18): a new `language` for the rest of the call, when it carries one. */
  updated(update: { language?: string }): void;
  /** The close transaction began: flush recognition. `closed` waits for this, up to the flush budget. */
  closing(): Promise<void>;
  /** The socket is gone (with or without a close transaction). Persist what is pending. */
  finalized(abrupt: boolean): void;
}

export interface SessionOptions {
  sessionId: string;
  /** `Audiohook-Organization-Id` from the upgrade; must equal `open.parameters.organizationId`. */
  organizationId: string | undefined;
  transport: Transport;
  logger: AppLogger;
  /**
   * Outcome of upgrade authentication. Messages that arrive before it settles are held, in order, so a
   * verdict that is still pending can never let an `opened` out.
   */
  authorized: Promise<boolean>;
  /** Builds the call behind the session once `open` is accepted (not for probes). */
  createHandler(open: OpenParameters, session: AudioHookSession): SessionHandler;
  timeouts?: Partial<SessionTimeouts>;
  /** Languages listed in `opened` when the client asks (`supportedLanguages: true`). */
  supportedLanguages?: readonly string[];
  now?: () => number;
}

export interface SessionTimeouts {
  /** No frame at all for this long: the client is gone; drop the socket. Pings come every 5 s. */
  idleMs: number;
  /** Longest wait for recognition to flush before `closed` (the client gives up at 10 s). */
  flushBudgetMs: number;
  /** After `closed`, the client should close the socket; close it ourselves after this. */
  closeLingerMs: number;
  /** After our `disconnect`, the client owes a `close`; drop the socket after this. */
  disconnectGraceMs: number;
  /** A peer that failed authentication gets this long to read its `disconnect`, then the socket is dropped. */
  rejectedGraceMs: number;
}

const DEFAULT_TIMEOUTS: SessionTimeouts = {
  idleMs: 30_000,
  flushBudgetMs: 5_000,
  closeLingerMs: 10_000,
  disconnectGraceMs: 10_000,
  rejectedGraceMs: 2_000,
};
/**
 * Genesys's budget for server messages (protocol §14): about 5 `event`s a second with bursts of 25.
 * Entities that find no token wait, and leave together in the next `event` allowed.
 */
export const EVENT_RATE = { perSecond: 5, burst: 25 } as const;
/** Entities held while events are not allowed yet (before the first pong, during a 429 `retryAfter`). */
const MAX_QUEUED_ENTITIES = 200;
/** Wire text quoted in logs is cut to this many characters. */
const MAX_LOGGED_TEXT = 200;
/** Held while authentication is pending: far more than a client can send in 500 ms before `opened`. */
const MAX_HELD_FRAMES = 64;
/** Frames a rejected peer may send while it has not answered with `close`; then the socket is dropped. */
const MAX_REJECTED_FRAMES = 16;

export interface SessionCounters {
  textMessages: number;
  binaryFrames: number;
  /** Binary frames outside streaming (in flight after `paused`, before `opened`, after `close`). */
  droppedFrames: number;
  seqGaps: number;
  serverseqAhead: number;
  ignoredMessages: number;
  /** Transcript entities dropped because the held queue was full. */
  droppedEntities: number;
}

export class AudioHookSession {
  readonly sessionId: string;
  state: SessionState = 'connected';
  conversationId: string | undefined;
  isProbe = false;
  open: OpenParameters | undefined;
  media: SelectedMedia | undefined;
  readonly counters: SessionCounters = {
    textMessages: 0,
    binaryFrames: 0,
    droppedFrames: 0,
    seqGaps: 0,
    serverseqAhead: 0,
    ignoredMessages: 0,
    droppedEntities: 0,
  };
  /** Wall-clock ms when `opened` was sent: position zero of the audio timeline (api-contract §4.2). */
  openedAt: number | undefined;
  /** Wall-clock ms when the first text message (the `open`) arrived: the console's open→opened latency. */
  openReceivedAt: number | undefined;
  /** The round-trip time the client reported in its last `ping` (`rtt`), in ms: the gateway's metrics sample it. */
  lastPingRttMs: number | undefined;

  private logger: AppLogger;
  private readonly transport: Transport;
  private readonly timeouts: SessionTimeouts;
  private readonly now: () => number;
  private handler: SessionHandler | undefined;
  private serverSeq = 0;
  private lastClientSeq = 0;
  private authState: 'pending' | 'ok' | 'rejected' = 'pending';
  private held: Array<string | Uint8Array> = [];
  private disconnectSent = false;
  private rejectedFrames = 0;
  private readonly warnings = new WarnLimiter();
  private firstPongSent = false;
  private eventsBlockedUntil = 0;
  private queuedEntities: EventEntity[] = [];
  private eventTokens: number = EVENT_RATE.burst;
  private tokensAt = 0;
  private eventTimer: NodeJS.Timeout | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  /** Monotonic ms of the last frame (`performance.now()`). */
  private lastFrameAt = 0;
  private lingerTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: SessionOptions) {
    this.sessionId = options.sessionId;
    this.transport = options.transport;
    this.logger = options.logger;
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
    this.now = options.now ?? Date.now;
    this.armIdleTimer();
    options.authorized.then(
      (ok) => this.settleAuth(ok),
      () => this.settleAuth(false),
    );
  }

  /** Streaming: audio is expected. */
  get isOpen(): boolean {
    return this.state === 'active' || this.state === 'paused';
  }

  // ---- inbound ----------------------------------------------------------------------------------

  onText(text: string): void {
    if (this.state === 'finalized') return;
    if (this.authState === 'rejected') return this.onRejectedFrame(text);
    this.openReceivedAt ??= this.now();
    this.armIdleTimer();
    if (this.authState === 'pending') return this.hold(text);
    this.handleText(text);
  }

  onBinary(frame: Uint8Array): void {
    if (this.state === 'finalized') return;
    if (this.authState === 'rejected') return this.onRejectedFrame(frame);
    this.armIdleTimer();
    this.counters.binaryFrames++;
    if (this.authState === 'pending') return this.hold(frame);
    this.handleBinary(frame);
  }

  /** The WebSocket closed (by the client, or by us). */
  onSocketClosed(): void {
    if (this.state === 'finalized') return;
    const abrupt = this.state !== 'closed';
    if (abrupt && this.authState !== 'rejected')
      this.logger.warn('socket closed without a completed close transaction', { state: this.state });
    const suppressed = this.warnings.suppressed();
    if (suppressed) this.logger.warn('repeated warnings were not logged', { suppressed });
    this.state = 'finalized';
    this.clearTimers();
    this.handler?.finalized(abrupt);
  }

  /** Authentication failed and the session is settled as rejected. */
  get isRejected(): boolean {
    return this.authState === 'rejected';
  }

  // ---- outbound (also used by the gateway) --------------------------------------------------------

  /** Ask the client to end the session (§8). It answers with `close`, and we still owe `closed`. */
  disconnect(reason: DisconnectReason, info?: string): void {
    if (this.disconnectSent || this.state === 'closing' || this.state === 'closed' || this.state === 'finalized') return;
    this.disconnectSent = true;
    this.send('disconnect', info ? { reason, info } : { reason });
    const rejected = this.authState === 'rejected';
    if (!rejected) this.logger.info('disconnect sent', { reason }); // a rejection was logged by authentication
    this.lingerTimer = setTimeout(
      () => {
        if (!rejected) this.logger.warn('client did not close after disconnect; dropping the socket');
        this.transport.terminate();
      },
      rejected ? this.timeouts.rejectedGraceMs : this.timeouts.disconnectGraceMs,
    );
  }

  /** Server-initiated pause (§8). Only while streaming; the client confirms with `paused`. */
  pause(): boolean {
    if (this.state !== 'active' || this.disconnectSent) return false;
    this.send('pause', {});
    return true;
  }

  resume(): boolean {
    if (this.state !== 'paused' || this.disconnectSent) return false;
    this.send('resume', {});
    return true;
  }

  /**
   * Transcription Connector `event`s (§18), sent while streaming or closing and never before the first
   * `pong` (strict clients expect pong seq 2 right after opened) nor while a 429 `retryAfter` runs.
   * Entities that may not go yet are held, in order, and leave within Genesys's rate (`EVENT_RATE`).
   */
  sendEvent(entities: EventEntity[]): void {
    if (entities.length === 0 || this.state === 'closed' || this.state === 'finalized' || this.isProbe) return;
    for (const entity of entities) {
      if (this.queuedEntities.length >= MAX_QUEUED_ENTITIES) {
        this.queuedEntities.shift();
        this.counters.droppedEntities++;
      }
      this.queuedEntities.push(entity);
    }
    this.flushEvents(false);
  }

  // ---- internals ----------------------------------------------------------------------------------

  private get eventsAllowed(): boolean {
    return (this.isOpen || this.state === 'closing') && this.firstPongSent && !this.disconnectSent && this.now() >= this.eventsBlockedUntil;
  }

  /** Sends what is held: one entity per `event` while tokens last, the rest batched once one is free. */
  private flushEvents(final: boolean): void {
    clearTimeout(this.eventTimer);
    this.eventTimer = undefined;
    if (this.queuedEntities.length === 0) return;
    if (!this.eventsAllowed) {
      if (final) {
        this.counters.droppedEntities += this.queuedEntities.length;
        this.logger.warn('transcript events not allowed before closed; dropped', { entities: this.queuedEntities.length });
        this.queuedEntities = [];
      } else if (this.now() < this.eventsBlockedUntil) this.scheduleEvents(this.eventsBlockedUntil - this.now());
      return; // before the first pong: onPing flushes
    }
    const now = this.now();
    this.eventTokens = Math.min(EVENT_RATE.burst, this.eventTokens + ((now - this.tokensAt) / 1000) * EVENT_RATE.perSecond);
    this.tokensAt = now;
    if (this.eventTokens < 1 && !final) return this.scheduleEvents(((1 - this.eventTokens) / EVENT_RATE.perSecond) * 1000);
    if (this.queuedEntities.length <= this.eventTokens) {
      // Within budget: one entity per event (strict clients read only the first entity of each).
      for (const entity of this.queuedEntities) this.send('event', { entities: [entity] });
      this.eventTokens -= this.queuedEntities.length;
    } else {
      // Over budget: what is held leaves together, in order (at `closed` the budget cannot wait).
      this.send('event', { entities: this.queuedEntities });
      this.eventTokens = Math.max(0, this.eventTokens - 1);
    }
    this.queuedEntities = [];
  }

  private scheduleEvents(delayMs: number): void {
    this.eventTimer = setTimeout(() => this.flushEvents(false), Math.max(1, Math.ceil(delayMs)));
  }

  private hold(frame: string | Uint8Array): void {
    if (this.held.length >= MAX_HELD_FRAMES) {
      this.counters.droppedFrames++;
      return;
    }
    this.held.push(frame);
  }

  private settleAuth(ok: boolean): void {
    if (this.state === 'finalized') return;
    this.authState = ok ? 'ok' : 'rejected';
    const held = this.held;
    this.held = [];
    if (!ok) {
      // The disconnect acknowledges what was received (its clientseq), without serving any of it.
      for (const frame of held) {
        if (typeof frame !== 'string') continue;
        const parsed = parseClientMessage(frame, this.sessionId);
        if (parsed.ok) this.lastClientSeq = parsed.message.seq;
      }
      this.disconnect('unauthorized', 'authentication failed');
      for (const frame of held) this.onRejectedFrame(frame);
      return;
    }
    for (const frame of held) {
      if (typeof frame === 'string') this.handleText(frame);
      else this.handleBinary(frame);
    }
  }

  /**
   * A peer that failed authentication gets its `disconnect` and nothing else: the one message still
   * served is the `close` the protocol lets it answer with (§4.5), then the socket is closed. Nothing it
   * sends is logged, and a peer that keeps sending instead of closing is dropped at once.
   */
  private onRejectedFrame(frame: string | Uint8Array): void {
    if (this.state !== 'connected' && this.state !== 'active') return;
    if (++this.rejectedFrames > MAX_REJECTED_FRAMES) {
      this.state = 'closed';
      this.transport.terminate();
      return;
    }
    // A cheap test first: only a text frame that could be `close` is parsed at all.
    if (typeof frame !== 'string' || !frame.includes('close')) return;
    const parsed = parseClientMessage(frame, this.sessionId);
    if (!parsed.ok || parsed.message.type !== 'close') return;
    this.lastClientSeq = parsed.message.seq;
    clearTimeout(this.lingerTimer);
    this.send('closed', {});
    this.state = 'closed';
    this.transport.close(1000, 'session closed');
  }

  /**
   * Logs a warning unless this connection has already used its budget for the kind (the message); the
   * rest are counted and reported once when the socket closes. The call's per-frame warnings use it too.
   */
  warn(message: string, attributes: Record<string, unknown> = {}): void {
    if (this.warnings.allow(message)) this.logger.warn(message, attributes);
  }

  /** The same budget for an info line the peer can repeat at will (an `update` per message, say). */
  info(message: string, attributes: Record<string, unknown> = {}): void {
    if (this.warnings.allow(message)) this.logger.info(message, attributes);
  }

  private handleText(text: string): void {
    this.counters.textMessages++;
    const parsed = parseClientMessage(text, this.sessionId);
    if (!parsed.ok) return this.fail(parsed.reason);
    const msg = parsed.message;
    for (const warning of parsed.warnings) this.warn('lenient parse', { warning, type: msg.type.slice(0, 64) });
    this.trackSequence(msg);

    // After our disconnect only the transactions the client may still run are served (§9).
    if (this.disconnectSent && msg.type !== 'ping' && msg.type !== 'close') {
      this.counters.ignoredMessages++;
      return;
    }
    switch (msg.type) {
      case 'open':
        return this.onOpen(msg);
      case 'ping':
        return this.onPing(msg);
      case 'close':
        return void this.onClose(msg);
      case 'paused':
        return this.onPaused();
      case 'resumed':
        return this.onResumed(msg);
      case 'discarded':
        return this.onDiscarded(msg);
      case 'update':
        return this.onUpdate(msg);
      case 'error':
        return this.onClientError(msg);
      default:
        this.counters.ignoredMessages++;
        this.warn('unknown message type ignored', { type: String(msg.type).slice(0, 64) });
    }
  }

  /** Policy §5.3: gaps are logged and counted; losing a live call over a counter is worse. */
  private trackSequence(msg: ClientMessage): void {
    if (msg.seq !== this.lastClientSeq + 1) {
      this.counters.seqGaps++;
      this.warn('client seq out of order', { expected: this.lastClientSeq + 1, got: msg.seq });
    }
    this.lastClientSeq = msg.seq;
    if (msg.serverseq !== undefined && msg.serverseq > this.serverSeq) {
      this.counters.serverseqAhead++;
      this.warn('client serverseq ahead of ours', { serverseq: msg.serverseq, ours: this.serverSeq });
    }
  }

  private onOpen(msg: ClientMessage): void {
    if (this.state !== 'connected' || this.authState === 'rejected') {
      this.counters.ignoredMessages++;
      return;
    }
    const parsed = parseOpenParameters(msg.parameters);
    if (!parsed.ok) return this.fail(parsed.reason);
    const open = parsed.open;
    if (this.options.organizationId !== undefined && open.organizationId.toLowerCase() !== this.options.organizationId.toLowerCase()) {
      this.logger.warn('open.organizationId differs from the Audiohook-Organization-Id header');
      this.disconnect('unauthorized', 'authentication failed');
      return;
    }
    this.open = open;
    this.conversationId = open.conversationId;
    this.isProbe = open.conversationId === PROBE_CONVERSATION_ID;
    this.logger = this.logger.createChild({ persistentKeys: { conversationId: open.conversationId, probe: this.isProbe } });
    this.media = selectMedia(open.media);
    if (!this.media) this.logger.warn('no usable media offered; answering media: []', { offered: open.media.length });

    // `opened` goes out before anything else happens: Genesys gives up after 5 s (§13).
    const parameters: Record<string, unknown> = { startPaused: false, media: this.media ? [this.media.offered] : [] };
    if (open.supportedLanguages) parameters.supportedLanguages = [...(this.options.supportedLanguages ?? [])];
    this.send('opened', parameters);
    this.openedAt = this.now();
    this.state = 'active';
    this.logger.info('session opened', { channels: this.media?.channels ?? [] });

    if (this.isProbe) return;
    try {
      this.handler = this.options.createHandler(open, this);
      this.handler.opened(open, this.media);
    } catch (error) {
      this.logger.error('call set-up failed', { error });
      this.disconnect('error', 'internal error');
    }
  }

  private onPing(msg: ClientMessage): void {
    // Synchronously, before any other work: clientseq must be this ping's seq (§5.2).
    this.send('pong', {});
    const rtt = typeof msg.parameters.rtt === 'string' ? parseDuration(msg.parameters.rtt) : null;
    if (rtt !== null) this.lastPingRttMs = Math.round(rtt * 1000);
    if (!this.firstPongSent) {
      this.firstPongSent = true;
      this.flushEvents(false);
    }
  }

  private async onClose(msg: ClientMessage): Promise<void> {
    if (this.state === 'closing' || this.state === 'closed' || this.state === 'finalized') {
      this.counters.ignoredMessages++;
      return;
    }
    this.state = 'closing';
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    this.logger.info('close received', { reason: typeof msg.parameters.reason === 'string' ? msg.parameters.reason : undefined });
    if (this.handler) {
      let budget: NodeJS.Timeout | undefined;
      const expired = new Promise<'expired'>((resolve) => {
        budget = setTimeout(() => resolve('expired'), this.timeouts.flushBudgetMs);
      });
      try {
        const outcome = await Promise.race([this.handler.closing().then(() => 'flushed' as const), expired]);
        if (outcome === 'expired')
          this.logger.warn('flush budget exceeded; sending closed, results keep persisting', { budgetMs: this.timeouts.flushBudgetMs });
      } catch (error) {
        this.logger.error('flush on close failed', { error });
      } finally {
        clearTimeout(budget);
      }
    }
    if (this.state !== 'closing') return; // the socket went away while flushing
    this.flushEvents(true);
    this.send('closed', {});
    this.state = 'closed';
    this.lingerTimer = setTimeout(() => {
      this.logger.info('client did not close the socket after closed; closing it');
      this.transport.close(1000, 'session closed');
    }, this.timeouts.closeLingerMs);
  }

  private onPaused(): void {
    if (this.state !== 'active') return; // duplicates are normal (§6)
    this.state = 'paused';
    this.handler?.paused();
  }

  private onResumed(msg: ClientMessage): void {
    this.addDiscarded(msg, 'resumed');
    if (this.state !== 'paused') return;
    this.state = 'active';
    this.handler?.resumed();
  }

  private onDiscarded(msg: ClientMessage): void {
    this.addDiscarded(msg, 'discarded');
  }

  private addDiscarded(msg: ClientMessage, type: string): void {
    const raw = msg.parameters.discarded;
    const seconds = typeof raw === 'string' ? parseDuration(raw) : null;
    if (seconds === null) {
      this.warn('invalid discarded duration ignored', { type });
      return;
    }
    if (seconds > 0) this.handler?.discarded(seconds);
  }

  private onUpdate(msg: ClientMessage): void {
    const raw = msg.parameters.language;
    const language = typeof raw === 'string' ? raw.slice(0, MAX_LOGGED_TEXT) : undefined;
    this.info('update received', { language });
    if (this.state === 'active' || this.state === 'paused') this.handler?.updated(language === undefined ? {} : { language });
  }

  private onClientError(msg: ClientMessage): void {
    const { code, message, retryAfter } = msg.parameters;
    // `message` is a reserved key of the logger (it would be dropped): the client's text goes under its own key.
    this.warn('client reported an error', {
      code: typeof code === 'number' ? code : undefined,
      clientMessage: typeof message === 'string' ? message.slice(0, MAX_LOGGED_TEXT) : undefined,
    });
    if (code === 429 && typeof retryAfter === 'string') {
      const seconds = parseDuration(retryAfter);
      if (seconds !== null) {
        this.eventsBlockedUntil = this.now() + Math.min(seconds, 60) * 1000;
        this.flushEvents(false);
      }
    }
  }

  private handleBinary(frame: Uint8Array): void {
    if (this.state !== 'active' || this.disconnectSent || !this.handler || !this.media) {
      this.counters.droppedFrames++;
      return;
    }
    this.handler.audio(frame);
  }

  /** A hard failure (§16): tell the client, keep serving `close`. */
  private fail(reason: string): void {
    this.warn('protocol violation', { reason: reason.slice(0, 200) });
    this.disconnect('error', 'protocol error');
  }

  private send(type: ServerMessageType, parameters: Record<string, unknown>): void {
    const message: ServerMessage = {
      version: PROTOCOL_VERSION,
      id: this.sessionId,
      type,
      seq: ++this.serverSeq,
      clientseq: this.lastClientSeq,
      parameters,
    };
    this.transport.send(JSON.stringify(message));
  }

  /**
   * Every frame only notes the time: re-arming a timer per frame (25,000 a second at 5,000 calls) is a
   * cost on the hot path. The timer, when it fires, sleeps again for whatever idle time is left. The
   * clock is monotonic: a wall-clock step must not drop a live call.
   */
  private armIdleTimer(): void {
    this.lastFrameAt = performance.now();
    this.idleTimer ??= setTimeout(() => this.checkIdle(), this.timeouts.idleMs);
  }

  private checkIdle(): void {
    const left = this.lastFrameAt + this.timeouts.idleMs - performance.now();
    if (left > 0) {
      this.idleTimer = setTimeout(() => this.checkIdle(), left);
      return;
    }
    this.logger.warn('session idle; dropping the socket', { idleMs: this.timeouts.idleMs, state: this.state });
    this.transport.terminate();
  }

  private clearTimers(): void {
    clearTimeout(this.idleTimer);
    clearTimeout(this.lingerTimer);
    clearTimeout(this.eventTimer);
  }
}
