import { randomBytes, randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { signRequest } from '#gateway/audiohook/signature.ts';

/**
 * An AudioHook client that behaves like Genesys Cloud: signed upgrade, `open` with media offers, audio
 * frames, pings, pause/resume, `close`. It checks every server message the way Genesys's strict
 * reference client does (docs/audiohook-protocol.md §6) and records each breach in `violations`, so tests
 * and the call simulator see at once when the gateway would lose a real call.
 */

export interface MediaOffer {
  type: 'audio';
  format: 'PCMU' | 'L16';
  channels: Array<'external' | 'internal'>;
  rate: number;
}

const DEFAULT_MEDIA_OFFERS: MediaOffer[] = [
  { type: 'audio', format: 'PCMU', channels: ['external', 'internal'], rate: 8000 },
  { type: 'audio', format: 'PCMU', channels: ['external'], rate: 8000 },
  { type: 'audio', format: 'PCMU', channels: ['internal'], rate: 8000 },
];

export interface ClientOptions {
  url: string;
  apiKey: string;
  /** Base64 client secret; without it the upgrade is unsigned. */
  clientSecret?: string;
  organizationId?: string;
  sessionId?: string;
  correlationId?: string;
  conversationId?: string;
  participant?: { id: string; ani: string; aniName: string; dnis: string };
  media?: MediaOffer[];
  /** Extra `open` parameters (language, supportedLanguages, customConfig...). */
  openParameters?: Record<string, unknown>;
  /** Override or remove (undefined) upgrade headers, for negative tests. */
  headers?: Record<string, string | undefined>;
  openTimeoutMs?: number;
  closeTimeoutMs?: number;
  /**
   * Load generation only: mask every frame with an all-zero key. Frames stay masked on the wire (the
   * server unmasks every byte as usual) but this client skips the XOR and the copy it needs, so a load
   * generator measures the server rather than its own masking. Genesys masks with random keys.
   */
  zeroMask?: boolean;
}

export interface ServerMessage {
  version: string;
  id: string;
  type: string;
  seq: number;
  clientseq: number;
  parameters: Record<string, unknown>;
}

type Waiter = { predicate: (m: ServerMessage) => boolean; resolve: (m: ServerMessage) => void };

export class AudioHookClient {
  readonly sessionId: string;
  readonly conversationId: string;
  readonly organizationId: string;
  readonly received: ServerMessage[] = [];
  readonly violations: string[] = [];
  /** The media the server selected in `opened` (undefined: none / not opened). */
  selectedMedia: MediaOffer | undefined;
  /** Close code once the socket is closed. */
  closeCode: number | undefined;
  upgradeStatus: number | undefined;

  private ws: WebSocket | undefined;
  private seq = 0;
  private lastServerSeq = 0;
  /** Pings awaiting their pong, oldest first, with the time each was sent. */
  private outstandingPings: Array<{ seq: number; sentAt: number }> = [];
  private rtt: number | undefined;
  private state: 'idle' | 'opening' | 'open' | 'closing' | 'closed' = 'idle';
  private positionSamples = 0;
  private waiters: Waiter[] = [];
  private closedSocket: Promise<void> | undefined;
  private pingTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: ClientOptions) {
    this.sessionId = options.sessionId ?? randomUUID();
    this.conversationId = options.conversationId ?? randomUUID();
    this.organizationId = options.organizationId ?? randomUUID();
  }

  get isOpen(): boolean {
    return this.state === 'open';
  }

  /** Upgrade the connection. Resolves once the WebSocket is open; rejects on a refused upgrade. */
  async connect(): Promise<void> {
    const url = new URL(this.options.url);
    const correlationId = this.options.correlationId ?? randomUUID();
    const headers: Record<string, string> = {
      'Audiohook-Organization-Id': this.organizationId,
      'Audiohook-Session-Id': this.sessionId,
      'Audiohook-Correlation-Id': correlationId,
      'X-API-KEY': this.options.apiKey,
    };
    if (this.options.clientSecret) {
      const signed = signRequest({
        apiKey: this.options.apiKey,
        secret: Buffer.from(this.options.clientSecret, 'base64'),
        requestTarget: url.pathname + url.search,
        authority: url.host,
        organizationId: this.organizationId,
        sessionId: this.sessionId,
        correlationId,
        nonce: randomBytes(18).toString('base64'),
      });
      headers['Signature-Input'] = signed['signature-input'];
      headers['Signature'] = signed.signature;
    }
    for (const [name, value] of Object.entries(this.options.headers ?? {})) {
      const existing = Object.keys(headers).find((h) => h.toLowerCase() === name.toLowerCase());
      if (existing) delete headers[existing];
      if (value !== undefined) headers[name] = value;
    }
    const ws = new WebSocket(url, {
      headers,
      perMessageDeflate: false,
      followRedirects: false,
      ...(this.options.zeroMask && { generateMask: (mask: Buffer) => void mask.fill(0) }),
    });
    this.ws = ws;
    this.closedSocket = new Promise((resolve) =>
      ws.once('close', (code) => {
        this.stopPinging();
        this.closeCode = code;
        this.state = 'closed';
        resolve();
      }),
    );
    ws.on('message', (data, isBinary) => this.onMessage(data as Buffer, isBinary));
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('unexpected-response', (_req, res) => {
        this.upgradeStatus = res.statusCode;
        reject(new UpgradeRefusedError(res.statusCode ?? 0));
        res.resume();
        ws.terminate();
      });
      ws.once('error', reject);
    });
  }

  /** Send `open` and wait for `opened` (or `disconnect`). */
  async open(): Promise<ServerMessage> {
    this.state = 'opening';
    this.sendMessage('open', {
      organizationId: this.organizationId,
      conversationId: this.conversationId,
      participant: this.options.participant ?? { id: randomUUID(), ani: '+15551234567', aniName: 'Test Caller', dnis: '+15557654321' },
      media: this.options.media ?? DEFAULT_MEDIA_OFFERS,
      ...this.options.openParameters,
    });
    const reply = await this.waitFor((m) => m.type === 'opened' || m.type === 'disconnect', this.options.openTimeoutMs ?? 5_000, 'opened');
    return reply;
  }

  /** Connect + open, as Genesys does at the start of every session. */
  async start(): Promise<ServerMessage> {
    await this.connect();
    return this.open();
  }

  /** Send a ping and wait for its pong. Returns the round-trip time in ms. */
  async ping(): Promise<number> {
    const seq = this.sendMessage('ping', this.rtt !== undefined ? { rtt: `PT${(this.rtt / 1000).toFixed(9)}S` } : {});
    await this.waitFor((m) => m.type === 'pong' && m.clientseq === seq, 5_000, `pong for ping ${seq}`);
    return this.rtt ?? 0;
  }

  /** Ping on a wall-clock timer, as Genesys does every 5 s for the whole session. */
  startPinging(intervalMs = 5_000): void {
    this.stopPinging();
    this.pingTimer = setInterval(() => {
      if (this.state === 'open') void this.ping().catch(() => undefined);
    }, intervalMs);
  }

  stopPinging(): void {
    clearInterval(this.pingTimer);
    this.pingTimer = undefined;
  }

  /** One binary audio frame in the negotiated format; advances the client position. */
  sendAudio(frame: Uint8Array): void {
    const channels = this.selectedMedia?.channels.length ?? 1;
    this.positionSamples += Math.floor(frame.length / channels);
    this.ws?.send(frame, { binary: true });
  }

  /** Client-side pause (secure pause): `paused`, then later `resumed` reporting the skipped time. */
  sendPaused(): void {
    this.sendMessage('paused', {});
  }

  sendResumed(discardedSeconds: number): void {
    const start = this.position;
    this.positionSamples += Math.round(discardedSeconds * 8000);
    this.sendMessage('resumed', { start, discarded: `PT${discardedSeconds}S` });
  }

  sendDiscarded(discardedSeconds: number): void {
    const start = this.position;
    this.positionSamples += Math.round(discardedSeconds * 8000);
    this.sendMessage('discarded', { start, discarded: `PT${discardedSeconds}S` });
  }

  /** Any message, for protocol tests. Returns the seq used. */
  sendMessage(type: string, parameters: Record<string, unknown>, overrides: Record<string, unknown> = {}): number {
    const seq = ++this.seq;
    if (type === 'ping') this.outstandingPings.push({ seq, sentAt: performance.now() });
    if (type === 'open' && this.state === 'idle') this.state = 'opening';
    if (type === 'close' && this.state !== 'closed') this.state = 'closing';
    const message = {
      version: '2',
      id: this.sessionId,
      type,
      seq,
      serverseq: this.lastServerSeq,
      position: this.position,
      parameters,
      ...overrides,
    };
    this.sendRaw(JSON.stringify(message));
    return seq;
  }

  sendRaw(data: string | Uint8Array): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(data, { binary: typeof data !== 'string' });
  }

  /** `close` → wait for `closed` → close the socket, as the reference client does. */
  async close(reason: 'end' | 'error' | 'disconnect' | 'reconnect' = 'end'): Promise<ServerMessage | undefined> {
    if (this.state === 'closed') return undefined;
    this.stopPinging();
    this.state = 'closing';
    this.sendMessage('close', { reason });
    let closed: ServerMessage | undefined;
    try {
      closed = await this.waitFor((m) => m.type === 'closed', this.options.closeTimeoutMs ?? 10_000, 'closed');
    } finally {
      this.ws?.close(1000);
      await this.closedSocket;
    }
    return closed;
  }

  /** Drop the connection without a close transaction. */
  async drop(): Promise<void> {
    this.ws?.terminate();
    await this.closedSocket;
  }

  async socketClosed(): Promise<void> {
    await this.closedSocket;
  }

  get position(): string {
    return `PT${(this.positionSamples / 8000).toFixed(3).replace(/\.?0+$/, '') || '0'}S`;
  }

  waitFor(predicate: (m: ServerMessage) => boolean, timeoutMs: number, what = 'message'): Promise<ServerMessage> {
    const seen = this.received.find(predicate);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        predicate,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      this.waiters.push(waiter);
      void this.closedSocket?.then(() => {
        if (!this.waiters.includes(waiter)) return;
        this.waiters = this.waiters.filter((w) => w !== waiter);
        clearTimeout(timer);
        reject(new Error(`socket closed (code ${this.closeCode}) while waiting for ${what}`));
      });
    });
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    if (isBinary) {
      this.violations.push('415: binary frame from a Monitor server');
      return;
    }
    const text = data.toString('utf8');
    if (text.length > 65_535) this.violations.push('413: message too large');
    let message: ServerMessage;
    try {
      message = JSON.parse(text) as ServerMessage;
    } catch {
      this.violations.push('400: server message is not JSON');
      return;
    }
    this.check(message);
    this.received.push(message);
    for (const waiter of [...this.waiters]) {
      if (waiter.predicate(message)) {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        waiter.resolve(message);
      }
    }
    // The reference client answers `disconnect` with `close(disconnect)` and completes the transaction.
    if (message.type === 'disconnect' && (this.state === 'open' || this.state === 'opening')) {
      void this.close('disconnect').catch(() => undefined);
    }
  }

  /** The strict client's checks (§6); each breach would end a real Genesys session. */
  private check(m: ServerMessage): void {
    const isInt = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0;
    const envelopeOk =
      m !== null &&
      typeof m === 'object' &&
      m.version === '2' &&
      typeof m.id === 'string' &&
      typeof m.type === 'string' &&
      isInt(m.seq) &&
      isInt(m.clientseq) &&
      typeof m.parameters === 'object' &&
      m.parameters !== null &&
      !Array.isArray(m.parameters);
    if (!envelopeOk) {
      this.violations.push(`400: not an AudioHook server message: ${JSON.stringify(m).slice(0, 200)}`);
      return;
    }
    if (m.id !== this.sessionId) this.violations.push(`400: id ${m.id} is not the session id`);
    if (m.seq !== this.lastServerSeq + 1) this.violations.push(`500: server seq ${m.seq} after ${this.lastServerSeq}`);
    this.lastServerSeq = m.seq;
    if (m.clientseq > this.seq) this.violations.push(`500: clientseq ${m.clientseq} ahead of client seq ${this.seq}`);
    switch (m.type) {
      case 'opened': {
        if (this.state !== 'opening') this.violations.push('409: unexpected opened');
        const media = m.parameters.media;
        if (!Array.isArray(media)) this.violations.push('500: opened without media array');
        else if (media.length > 1) this.violations.push('400: More than one media selected');
        else if (media.length === 1) {
          const chosen = media[0] as MediaOffer;
          const offers = this.options.media ?? DEFAULT_MEDIA_OFFERS;
          const match = offers.find(
            (o) =>
              o.type === chosen.type &&
              o.format === chosen.format &&
              o.rate === chosen.rate &&
              o.channels.length === chosen.channels?.length &&
              o.channels.every((c, i) => c === chosen.channels[i]),
          );
          if (!match) this.violations.push('400: Selected media not one of the offered');
          this.selectedMedia = match;
        }
        if (this.state === 'opening') this.state = 'open';
        break;
      }
      case 'pong': {
        const ping = this.outstandingPings.shift();
        if (!ping) this.violations.push('409 (warning): pong without ping');
        else if (m.clientseq !== ping.seq)
          this.violations.push(`400 (fatal at next ping): pong clientseq ${m.clientseq} != ping seq ${ping.seq}`);
        else this.rtt = performance.now() - ping.sentAt;
        break;
      }
      case 'closed':
        if (this.state !== 'closing') this.violations.push('409: closed without close');
        break;
      case 'pause':
      case 'resume':
        if (this.state === 'idle' || this.state === 'opening') this.violations.push(`409: ${m.type} before opened`);
        break;
      case 'disconnect': {
        const reason = m.parameters.reason;
        if (reason !== 'completed' && reason !== 'unauthorized' && reason !== 'error')
          this.violations.push(`500: disconnect reason ${String(reason)}`);
        break;
      }
      case 'event': {
        const entities = m.parameters.entities;
        if (!Array.isArray(entities) || entities.length === 0) this.violations.push('500: event without entities');
        break;
      }
      case 'reconnect':
      case 'updated':
        break;
      default:
        this.violations.push(`500: unknown server message type ${m.type}`);
    }
  }
}

export class UpgradeRefusedError extends Error {
  constructor(readonly status: number) {
    super(`upgrade refused with HTTP ${status}`);
    this.name = 'UpgradeRefusedError';
  }
}
