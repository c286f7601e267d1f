import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeServer, listen, readBody } from '../core/http/server.ts';
import { controlStartRequestSchema, controlStopRequestSchema } from '../core/api/gateway-control.ts';
import { logger as rootLogger, type AppLogger } from '../core/logger.ts';
import type { CallDirectory } from './call-directory.ts';

/**
 * The gateway task's private control endpoint (docs/data-model.md): the start/stop Lambdas reach the
 * task holding a call here. Only the control Lambdas' security group can connect in AWS; locally it
 * listens on loopback.
 */

const MAX_BODY_BYTES = 16 * 1024;

const ROUTE = /^\/control\/v1\/conversations\/([^/]{1,255})\/(start|stop)\/?$/;

export class ControlServer {
  private readonly http: Server;
  private readonly logger: AppLogger;

  constructor(private readonly calls: CallDirectory, logger?: AppLogger) {
    this.logger = logger ?? rootLogger;
    this.http = createServer((req, res) => void this.handle(req, res));
  }

  listen(port: number, host: string): Promise<AddressInfo> {
    return listen(this.http, port, host);
  }

  close(): Promise<void> {
    return closeServer(this.http);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const match = ROUTE.exec((req.url ?? '').split('?')[0]);
      if (!match || req.method !== 'POST') return reply(res, 404, { error: 'not-found' });
      const conversationId = decodeURIComponent(match[1]);
      const body = await readJson(req);
      if (body === undefined) return reply(res, 400, { error: 'bad-request', message: 'body is not a JSON object' });
      if (match[2] === 'start') return await this.start(conversationId, body, res);
      return await this.stop(conversationId, body, res);
    } catch (error) {
      this.logger.error('control request failed', { error });
      if (!res.headersSent) reply(res, 500, { error: 'internal' });
    }
  }

  private async start(conversationId: string, body: unknown, res: ServerResponse): Promise<void> {
    const parsed = controlStartRequestSchema.safeParse(body);
    if (!parsed.success) return reply(res, 400, { error: 'bad-request', message: parsed.error.issues[0]?.message });
    const call = this.calls.find(conversationId);
    if (!call) return reply(res, 404, { error: 'no-session' });
    const { settings, customerStreamId, agentStreamId, externalConversationId, tenant } = parsed.data;
    const outcome = call.startTranscription({ settings, streamIds: { customer: customerStreamId, agent: agentStreamId }, externalConversationId, tenant });
    if (!outcome.ok) return reply(res, outcome.error === 'ended' ? 404 : 409, { error: outcome.error === 'ended' ? 'no-session' : outcome.error });
    reply(res, 200, outcome.report);
  }

  private async stop(conversationId: string, body: unknown, res: ServerResponse): Promise<void> {
    if (!controlStopRequestSchema.safeParse(body).success) return reply(res, 400, { error: 'bad-request' });
    const call = this.calls.find(conversationId);
    if (!call) return reply(res, 404, { error: 'no-session' });
    const outcome = await call.stopTranscription();
    if (!outcome.ok) return reply(res, outcome.error === 'ended' ? 404 : 409, { error: outcome.error === 'ended' ? 'no-session' : outcome.error });
    reply(res, 200, outcome.report);
  }
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const body = await readBody(req, MAX_BODY_BYTES);
  if (body === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(body.toString('utf8') || '{}');
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
