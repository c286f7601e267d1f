import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodePathSegment, requestTarget } from '#core/http/request-target.ts';
import { closeServer, createHttpServer, listen, readBody } from '#core/http/server.ts';
import { controlStartRequestSchema, controlStopRequestSchema } from '#core/api/gateway-control.ts';
import { logger as rootLogger, type AppLogger } from '#core/logger.ts';
import type { LiveCalls } from './live-calls.ts';
import { verifyControlRequest } from '#core/api/control-auth.ts';
import { redactionModeFor, redactionRefusal, type RedactionPolicy } from '#core/config/api.ts';

/**
 * The gateway task's private control endpoint (docs/data-model.md): the start/stop Lambdas reach the
 * task holding a call here. Only the control Lambdas' security group can connect in AWS, and every
 * request must carry their signature (control-auth.ts); locally it listens on loopback. A start is
 * checked again against the tenant's redaction policy: the endpoint trusts no caller to have done it.
 */

export interface ControlServerOptions {
  /** CONTROL_SECRET: requests must be signed with it. Without one (local development) they are not checked. */
  secret?: string;
  /** The tenants' redaction policy; without one every output is allowed (tests of the endpoint alone). */
  redaction?: RedactionPolicy;
  logger?: AppLogger;
}

const MAX_BODY_BYTES = 16 * 1024;

const ROUTE = /^\/control\/v1\/conversations\/([^/]{1,255})\/(start|stop)\/?$/;

export class ControlServer {
  private readonly http: Server;
  private readonly logger: AppLogger;

  constructor(
    private readonly calls: LiveCalls,
    private readonly options: ControlServerOptions = {},
  ) {
    this.logger = options.logger ?? rootLogger;
    this.http = createHttpServer(
      (req, res) => this.handle(req, res),
      (res, error) => {
        this.logger.error('control request failed', { error });
        reply(res, 500, { error: 'internal' });
      },
    );
  }

  listen(port: number, host: string): Promise<AddressInfo> {
    return listen(this.http, port, host, 'CONTROL_PORT');
  }

  close(): Promise<void> {
    return closeServer(this.http);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { path } = requestTarget(req);
    const match = ROUTE.exec(path);
    if (!match || req.method !== 'POST') return reply(res, 404, { error: 'not-found' });
    const conversationId = decodePathSegment(match[1]);
    if (conversationId === undefined)
      return reply(res, 400, { error: 'bad-request', message: 'conversation id is not valid percent-encoding' });
    const read = await readBody(req, res, MAX_BODY_BYTES);
    if (!read.ok) {
      if (read.reason === 'aborted') return;
      return reply(res, read.reason === 'too-large' ? 413 : 408, { error: read.reason });
    }
    if (this.options.secret !== undefined) {
      const auth = verifyControlRequest(this.options.secret, { method: 'POST', path, headers: req.headers, body: read.body });
      if (!auth.ok) {
        this.logger.warn('control request refused', { reason: auth.reason });
        return reply(res, 401, { error: 'unauthorized' });
      }
    }
    const body = parseJsonObject(read.body);
    if (body === undefined) return reply(res, 400, { error: 'bad-request', message: 'body is not a JSON object' });
    if (match[2] === 'start') return this.start(conversationId, body, res);
    return this.stop(conversationId, body, res);
  }

  private async start(conversationId: string, body: unknown, res: ServerResponse): Promise<void> {
    const parsed = controlStartRequestSchema.safeParse(body);
    if (!parsed.success) return reply(res, 400, { error: 'bad-request', message: parsed.error.issues[0]?.message });
    const call = this.calls.find(conversationId);
    if (!call) return reply(res, 404, { error: 'no-session' });
    const { settings, customerStreamId, agentStreamId, externalConversationId, tenant } = parsed.data;
    const refusal =
      this.options.redaction && redactionRefusal(redactionModeFor({ redaction: this.options.redaction }, tenant), settings.redactionOutput);
    if (refusal) return reply(res, 400, { error: 'bad-request', message: refusal });
    const outcome = call.startTranscription({
      settings,
      streamIds: { customer: customerStreamId, agent: agentStreamId },
      externalConversationId,
      tenant,
    });
    if (!outcome.ok)
      return reply(res, outcome.error === 'ended' ? 404 : 409, { error: outcome.error === 'ended' ? 'no-session' : outcome.error });
    reply(res, 200, outcome.report);
  }

  private async stop(conversationId: string, body: unknown, res: ServerResponse): Promise<void> {
    if (!controlStopRequestSchema.safeParse(body).success) return reply(res, 400, { error: 'bad-request' });
    const call = this.calls.find(conversationId);
    if (!call) return reply(res, 404, { error: 'no-session' });
    // Whether the report reaches the caller: the response closes having been written, or not.
    const delivered = new Promise<boolean>((resolve) => res.once('close', () => resolve(res.writableFinished)));
    const outcome = await call.stopTranscription(delivered);
    if (!outcome.ok)
      return reply(res, outcome.error === 'ended' ? 404 : 409, { error: outcome.error === 'ended' ? 'no-session' : outcome.error });
    reply(res, 200, outcome.report);
  }
}

function parseJsonObject(body: Buffer): unknown {
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
