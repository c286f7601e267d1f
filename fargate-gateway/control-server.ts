import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
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

  async listen(port: number, host: string): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(port, host, () => {
        this.http.off('error', reject);
        resolve();
      });
    });
    return this.http.address() as AddressInfo;
  }

  async close(): Promise<void> {
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
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
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  try {
    const value: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
