import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { requestTarget } from '#core/http/request-target.ts';
import { closeServer, createHttpServer, listen } from '#core/http/server.ts';
import { keyedLogger, logger as rootLogger, type AppLogger } from '#core/logger.ts';
import type { ApiKeySet } from './audiohook/api-keys.ts';
import { authenticateUpgrade, logValue } from './audiohook/authenticate.ts';
import { isUuid } from './audiohook/messages.ts';
import { NonceCache, type ReplayCache } from './audiohook/nonce-cache.ts';
import { AudioHookSession, type Transport } from './audiohook/session.ts';
import { Call, type CallDependencies } from './call.ts';
import { LiveCalls } from './live-calls.ts';
import type { GatewayConfig } from './config.ts';
import { HEALTH_PATH, LIVE_PATH } from '#core/contract/gateway-endpoints.ts';

/**
 * The AudioHook WebSocket server: upgrade checks and authentication, one session per connection,
 * `/health` for the load balancer, session limits, and the graceful drain on SIGTERM.
 */

const MAX_PAYLOAD_BYTES = 64 * 1024;
/**
 * Unsent bytes a socket may hold. We send small text messages only (pongs, events), so a peer this far
 * behind is not reading: it is dropped rather than buffered without limit.
 */
const MAX_SEND_BUFFER_BYTES = 1024 * 1024;
/** Longest `Audiohook-*-Id` header accepted (they are UUIDs); longer ones are refused with 400. */
export const MAX_ID_HEADER_CHARS = 128;

export interface GatewayServerOptions {
  config: GatewayConfig;
  apiKeys: ApiKeySet;
  call: Omit<CallDependencies, 'logger'>;
  supportedLanguages?: readonly string[];
  logger?: AppLogger;
  /** Shared with the control endpoint, which finds calls here. */
  calls?: LiveCalls;
  /** Where used signature nonces are kept (default: this process; shared-nonce-cache.ts for every task). */
  nonceCache?: ReplayCache;
  /** Told whenever the number of live sessions changes (ECS task scale-in protection). */
  onSessionsChanged?(liveSessions: number): void;
}

export class GatewayServer {
  readonly calls: LiveCalls;
  /**
   * Sessions holding a slot of MAX_SESSIONS: authenticated or still being authenticated. A session that
   * fails authentication leaves at once, so unauthenticated peers cannot keep real calls out.
   */
  readonly sessions = new Set<AudioHookSession>();
  private readonly sockets = new Set<WebSocket>();
  /** Binary frames received over the process's life (capacity benchmark, metrics). */
  framesReceived = 0;
  private readonly http: Server;
  private readonly wss: WebSocketServer;
  private readonly nonces: ReplayCache;
  private readonly logger: AppLogger;
  private draining = false;
  private retiring = false;

  constructor(private readonly options: GatewayServerOptions) {
    this.logger = options.logger ?? rootLogger;
    this.calls = options.calls ?? new LiveCalls();
    this.nonces = options.nonceCache ?? new NonceCache();
    this.wss = new WebSocketServer({ noServer: true, maxPayload: MAX_PAYLOAD_BYTES, perMessageDeflate: false, clientTracking: false });
    this.http = createHttpServer(
      (req, res) => this.onRequest(req, res),
      (res) => {
        res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'internal' }));
      },
    );
    this.http.on('upgrade', (req, socket, head) => void this.onUpgrade(req, socket, head));
    this.http.on('clientError', (_error, socket) => socket.destroy());
  }

  listen(port = this.options.config.GATEWAY_PORT, host = this.options.config.GATEWAY_HOST): Promise<AddressInfo> {
    return listen(this.http, port, host, 'GATEWAY_PORT');
  }

  /** Open WebSockets, a rejected peer's included until its socket is closed. */
  get connectionCount(): number {
    return this.sockets.size;
  }

  get isDraining(): boolean {
    return this.draining;
  }

  /**
   * Retiring (ecs/retirement.ts): take no new session — `/health` fails so the load balancer routes
   * new connections elsewhere, and upgrades that still arrive are refused — while live ones go on.
   */
  setRetiring(retiring: boolean): void {
    this.retiring = retiring;
  }

  /** Whether new sessions are refused (draining on shutdown, or retiring). */
  private get refusingNewSessions(): boolean {
    return this.draining || this.retiring;
  }

  /**
   * Graceful shutdown: refuse new sessions, ask live ones to end with `disconnect`, let each run its
   * close transaction (which flushes recognition), and resolve when all are gone or at the deadline.
   */
  async drain(deadlineMs = this.options.config.DRAIN_DEADLINE_MS): Promise<{ remaining: number }> {
    this.draining = true;
    this.logger.info('draining', { sessions: this.sessions.size, deadlineMs });
    for (const session of this.sessions) session.disconnect('completed', 'server shutting down');
    const deadline = Date.now() + deadlineMs;
    while (this.sessions.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const remaining = this.sessions.size;
    if (remaining > 0) this.logger.warn('drain deadline reached with live sessions', { remaining });
    return { remaining };
  }

  async close(): Promise<void> {
    // Upgraded sockets are no longer the HTTP server's: end them here or close() would wait forever.
    for (const ws of this.sockets) ws.terminate();
    for (const session of this.sessions) session.onSocketClosed();
    await closeServer(this.http);
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const { path } = requestTarget(req);
    // Readiness, for the load balancer: 503 while new sessions are refused.
    if (req.method === 'GET' && path === HEALTH_PATH) {
      res.writeHead(this.refusingNewSessions ? 503 : 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: this.draining ? 'draining' : this.retiring ? 'retiring' : 'ok', sessions: this.sessions.size }));
      return;
    }
    // Liveness, for the container health check: the process answers. A retiring task must fail
    // readiness without ECS taking it for broken and stopping it with its calls.
    if (req.method === 'GET' && path === LIVE_PATH) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'alive' }));
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: 'not found' }));
  }

  private async onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => socket.destroy());
    const { config } = this.options;
    const { path } = requestTarget(req);
    if (path !== config.AUDIOHOOK_PATH) return refuse(socket, 404, 'Not Found');
    if (this.refusingNewSessions) return refuse(socket, 503, 'Service Unavailable');
    if (this.sessions.size >= config.MAX_SESSIONS) {
      this.logger.warn('session limit reached; refusing a connection', { maxSessions: config.MAX_SESSIONS });
      return refuse(socket, 503, 'Service Unavailable');
    }
    const sessionId = header(req, 'audiohook-session-id');
    if (!isUuid(sessionId)) return refuse(socket, 400, 'Bad Request');
    const correlationId = header(req, 'audiohook-correlation-id');
    const organizationId = header(req, 'audiohook-organization-id');
    if ((correlationId?.length ?? 0) > MAX_ID_HEADER_CHARS || (organizationId?.length ?? 0) > MAX_ID_HEADER_CHARS) {
      return refuse(socket, 400, 'Bad Request');
    }
    const log = keyedLogger(this.logger, {
      sessionId,
      correlationId: logValue(correlationId) ?? randomUUID(),
      organizationId: logValue(organizationId),
    });

    const verdict = authenticateUpgrade(req, this.options.apiKeys, {
      nonceCache: this.nonces,
      logger: log,
      failureFloorMs: config.AUTH_FAILURE_FLOOR_MS,
      trustForwardedHeaders: config.TRUST_FORWARDED_HEADERS,
    }).then((outcome) => outcome.ok); // a failure is logged once, by authenticateUpgrade

    if (config.AUTH_REJECTION === 'http401' && !(await verdict)) return refuse(socket, 401, 'Unauthorized');
    if (socket.destroyed) return;

    this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws, sessionId, organizationId, verdict, log));
  }

  private onConnection(
    ws: WebSocket,
    sessionId: string,
    organizationId: string | undefined,
    authorized: Promise<boolean>,
    log: AppLogger,
  ): void {
    const transport: Transport = {
      send: (text) => {
        if (ws.readyState !== ws.OPEN) return;
        if (ws.bufferedAmount > MAX_SEND_BUFFER_BYTES) {
          log.warn('peer is not reading; dropping the socket', { bufferedBytes: ws.bufferedAmount });
          ws.terminate();
          return;
        }
        ws.send(text);
      },
      close: (code, reason) => ws.close(code, reason),
      terminate: () => ws.terminate(),
    };
    const { config } = this.options;
    let call: Call | undefined;
    const session = new AudioHookSession({
      sessionId,
      organizationId,
      transport,
      logger: log,
      authorized,
      supportedLanguages: this.options.supportedLanguages,
      timeouts: { idleMs: config.IDLE_TIMEOUT_MS, flushBudgetMs: config.FLUSH_BUDGET_MS },
      createHandler: (open, s) => {
        call = new Call(s, open, {
          ...this.options.call,
          logger: log.createChild({ persistentKeys: { conversationId: open.conversationId } }),
        });
        this.calls.add(call);
        return call;
      },
    });
    this.sessions.add(session);
    this.sockets.add(ws);
    this.options.onSessionsChanged?.(this.sessions.size);
    // A rejected peer gives its slot back at once; its socket lingers only to deliver the `disconnect`.
    void authorized.then((ok) => {
      if (ok) log.info('connection accepted', { sessions: this.sessions.size });
      else if (this.sessions.delete(session)) this.options.onSessionsChanged?.(this.sessions.size);
    });

    let frameFailures = 0;
    ws.on('message', (data, isBinary) => {
      const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
      try {
        if (isBinary) {
          this.framesReceived++;
          session.onBinary(buffer);
        } else session.onText(buffer.toString('utf8'));
      } catch (error) {
        // A frame our code could not handle ends this session, never the process and its other calls.
        if (frameFailures++ === 0) log.error('handling a frame failed; disconnecting', { error });
        session.disconnect('error', 'internal error');
      }
    });
    ws.on('error', (error) => {
      if (!session.isRejected) log.warn('websocket error', { error: error.message.slice(0, 200) });
    });
    ws.on('close', (code) => {
      session.onSocketClosed();
      this.sessions.delete(session);
      this.sockets.delete(ws);
      this.options.onSessionsChanged?.(this.sessions.size);
      // The call stays findable until its flush has ended, so a stop racing the hang-up gets an answer.
      if (call) {
        const ended = call;
        void ended.done.finally(() => this.calls.remove(ended));
      }
      if (!session.isRejected) log.info('connection closed', { code, sessions: this.sessions.size });
    });
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function refuse(socket: Duplex, status: number, text: string): void {
  if (socket.destroyed) return;
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
