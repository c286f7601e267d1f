import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Role } from '#core/domain/participant.ts';
import { streamStatus, type StopResults, type StreamSummary } from '#core/domain/participant-result.ts';
import { controlStartRequestSchema, controlStopRequestSchema, type ControlStartRequest } from '#core/api/gateway-control.ts';
import type { ConversationsStore } from '#core/stores/conversations.ts';
import { STREAM_STATUS, type StreamStatusCode } from '#core/contract/status-codes.ts';

/**
 * A stand-in for the gateway at the integration level of the API: a real HTTP server speaking the
 * control contract of docs/data-model.md, with sessions registered through the same store calls the
 * gateway makes, and answers the test can steer. The end-to-end tests use the real gateway instead.
 */
interface DoubleSession {
  conversationId: string;
  sessionId: string;
  state: 'open' | 'closing';
  running: boolean;
  start?: ControlStartRequest;
}

/** `ends-call`: the call ends while a stop is on its way (the stop then meets no session). */
type Misbehaviour = 'http-500' | 'garbage' | 'hang' | 'reset' | 'ends-call';

export interface ControlDouble {
  url: string;
  requests: Array<{ action: 'start' | 'stop'; conversationId: string; body: unknown }>;
  sessions: Map<string, DoubleSession>;
  /** Status codes per participant for the next starts (default 1000 both). */
  startStatuses: Partial<Record<Role, { code: StreamStatusCode; message?: string }>>;
  summary: StreamSummary;
  /** Milliseconds each control answer is delayed. */
  delayMs: number;
  misbehave?: Misbehaviour;
  /** AudioHook `open` → `opened`: the session exists here and is registered in the store. */
  openSession(conversationId: string, sessionId?: string): Promise<string>;
  /** Genesys sent `close`: flushing. */
  beginClose(conversationId: string): Promise<void>;
  /** The session ended; a running span's final summary is left for the next stop. */
  endCall(conversationId: string): Promise<void>;
  /** The session vanishes without a word to the store (crashed task). */
  forget(conversationId: string): void;
  close(): Promise<void>;
}

export async function startControlDouble(store: ConversationsStore): Promise<ControlDouble> {
  const sessions = new Map<string, DoubleSession>();
  const sockets = new Set<Socket>();
  const double: ControlDouble = {
    url: '',
    requests: [],
    sessions,
    startStatuses: {},
    summary: { totalAudioBytes: 16_000, audioDurationMs: 1_000, streamingSeconds: 2, transcripts: 1 },
    delayMs: 0,
    async openSession(conversationId, sessionId = randomUUID()) {
      sessions.set(conversationId.toLowerCase(), {
        conversationId: conversationId.toLowerCase(),
        sessionId,
        state: 'open',
        running: false,
      });
      await store.registerSession({ conversationId, sessionId, gatewayUrl: double.url });
      return sessionId;
    },
    async beginClose(conversationId) {
      const session = sessions.get(conversationId.toLowerCase())!;
      session.state = 'closing';
      await store.markSessionClosing(conversationId, session.sessionId);
    },
    async endCall(conversationId) {
      const session = sessions.get(conversationId.toLowerCase())!;
      sessions.delete(session.conversationId);
      await store.markSessionClosed(session.conversationId, session.sessionId, session.running ? stopResults(session) : undefined);
    },
    forget(conversationId) {
      sessions.delete(conversationId.toLowerCase());
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };

  function stopResults(session: DoubleSession): StopResults {
    const entry = (role: Role) => ({
      streamId: role === 'customer' ? session.start!.customerStreamId : session.start!.agentStreamId,
      status: streamStatus(STREAM_STATUS.OK),
      summary: { ...double.summary },
    });
    return { customer: entry('customer'), agent: entry('agent') };
  }

  async function answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const match = /^\/control\/v1\/conversations\/([^/]+)\/(start|stop)$/.exec(req.url ?? '');
    if (req.method !== 'POST' || !match) return send(res, 404, { error: 'not-found' });
    const conversationId = decodeURIComponent(match[1]);
    const action = match[2] as 'start' | 'stop';
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    double.requests.push({ action, conversationId, body });

    if (double.delayMs > 0) await new Promise((r) => setTimeout(r, double.delayMs));
    switch (double.misbehave) {
      case 'hang':
        return; // never answers
      case 'reset':
        req.socket.destroy();
        return;
      case 'http-500':
        return send(res, 500, { message: 'boom' });
      case 'garbage':
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"customer":');
        return;
    }

    if (double.misbehave === 'ends-call') {
      await double.endCall(conversationId);
      return send(res, 404, { error: 'no-session' });
    }
    const session = sessions.get(conversationId);
    if (action === 'start') {
      const request = controlStartRequestSchema.parse(body);
      if (!session || session.sessionId !== request.sessionId) return send(res, 404, { error: 'no-session' });
      if (session.state === 'closing') return send(res, 409, { error: 'closing' });
      if (session.running) return send(res, 409, { error: 'running' });
      const entry = (role: Role, streamId: string) => {
        const wanted = double.startStatuses[role] ?? { code: STREAM_STATUS.OK };
        return { streamId, status: streamStatus(wanted.code), ...(wanted.message ? { message: wanted.message } : {}) };
      };
      const customer = entry('customer', request.customerStreamId);
      const agent = entry('agent', request.agentStreamId);
      session.running = customer.status.code === STREAM_STATUS.OK || agent.status.code === STREAM_STATUS.OK;
      session.start = request;
      return send(res, 200, { customer, agent });
    }
    const request = controlStopRequestSchema.parse(body);
    if (!session || session.sessionId !== request.sessionId) return send(res, 404, { error: 'no-session' });
    if (session.state === 'closing') return send(res, 409, { error: 'closing' });
    if (!session.running) return send(res, 409, { error: 'not-running' });
    session.running = false;
    return send(res, 200, stopResults(session));
  }

  const server = createServer((req, res) => {
    answer(req, res).catch(() => send(res, 500, { error: 'double failed' }));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  double.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return double;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
