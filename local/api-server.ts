import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { ApiError, errorEnvelope, type ErrorCode } from '#core/api/errors.ts';
import { requestTarget } from '#core/http/request-target.ts';
import { closeServer, createHttpServer, listen, readBody } from '#core/http/server.ts';
import sirv from 'sirv';
import { CONSOLE_API_PREFIX, CONSOLE_PATH, OPENAPI_PATH, type ApiLambda } from '#core/contract/routes.ts';
import { matchRoute } from './route-matcher.ts';
import { apiGatewayEvent, lambdaContext } from './apigw-event.ts';

/**
 * The local stand-in for API Gateway: real HTTP requests become the REST proxy events the Lambdas get
 * in AWS, and each goes to the same handler the stack deploys. Unknown routes, oversized, slow and
 * malformed requests get the error envelope the stack's Gateway Responses produce.
 */

export type ProxyHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

/** API Gateway's own payload limit; the handlers enforce the contract's 64 KiB themselves. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

export interface LocalApiOptions {
  /** Built console (`npm run build:console`), served under CONSOLE_PATH as CloudFront serves it in AWS. */
  consoleDir?: string;
  /** The API's OpenAPI document, served at OPENAPI_PATH (no credentials: it describes, it holds nothing). */
  openApi?: object;
}

export class LocalApiServer {
  private readonly http: Server;
  private readonly consoleFiles: ReturnType<typeof sirv> | undefined;
  private readonly openApi: string | undefined;

  constructor(
    private readonly handlers: Record<ApiLambda, ProxyHandler>,
    options: LocalApiOptions = {},
  ) {
    this.http = createHttpServer(
      (req, res) => this.handle(req, res),
      (res) => gatewayError(res, randomUUID(), '500-01'),
    );
    // `single`: every unknown page path gets index.html, so a reload on /console/calls/… works.
    this.consoleFiles = options.consoleDir ? sirv(options.consoleDir, { single: true, dev: false, etag: true }) : undefined;
    this.openApi = options.openApi && JSON.stringify(options.openApi);
  }

  listen(port: number, host: string): Promise<AddressInfo> {
    return listen(this.http, port, host, 'API_PORT');
  }

  close(): Promise<void> {
    return closeServer(this.http);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const { path, query: searchParams } = requestTarget(req);
    const match = matchRoute(req.method ?? 'GET', path);
    if (!match && this.serveOpenApi(req, res, path)) return;
    if (!match && this.serveConsole(req, res, path)) return;
    if (!match) return gatewayError(res, requestId, '404-01');
    const read = await readBody(req, res, MAX_BODY_BYTES);
    if (!read.ok) {
      if (read.reason === 'aborted') return; // nobody is left to answer
      return gatewayError(res, requestId, read.reason === 'too-large' ? '413-01' : '408-01');
    }
    const body = read.body;

    const headers: Record<string, string[]> = {};
    for (let i = 0; i < req.rawHeaders.length; i += 2) (headers[req.rawHeaders[i]] ??= []).push(req.rawHeaders[i + 1]);
    const query: Record<string, string[]> = {};
    for (const [key, value] of searchParams) (query[key] ??= []).push(value);
    const event = apiGatewayEvent({
      method: req.method,
      path,
      resource: match.route.resource,
      headers,
      query: searchParams.size > 0 ? query : undefined,
      body: body.length > 0 ? body.toString('utf8') : undefined,
      requestId,
    });
    event.pathParameters = match.pathParameters;
    // API Gateway's view of the caller: the console's loopback mode checks it.
    event.requestContext.identity.sourceIp = req.socket.remoteAddress ?? '';
    try {
      const result = await this.handlers[match.route.lambda](event, lambdaContext(match.route.lambda));
      const responseBody = result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body;
      res.writeHead(result.statusCode, { 'content-type': 'application/json', ...stringHeaders(result.headers) });
      res.end(responseBody);
    } catch {
      // What API Gateway answers when the integration itself fails.
      gatewayError(res, requestId, '500-01');
    }
  }

  private serveOpenApi(req: IncomingMessage, res: ServerResponse, path: string): boolean {
    if (this.openApi === undefined || (req.method !== 'GET' && req.method !== 'HEAD') || path !== OPENAPI_PATH) return false;
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' });
    res.end(req.method === 'HEAD' ? undefined : this.openApi);
    return true;
  }

  private serveConsole(req: IncomingMessage, res: ServerResponse, path: string): boolean {
    if (!this.consoleFiles || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
    if (path === '/') {
      res.writeHead(302, { location: `${CONSOLE_PATH}/` }).end();
      return true;
    }
    if (path !== CONSOLE_PATH && !path.startsWith(`${CONSOLE_PATH}/`)) return false;
    if (path.startsWith(`${CONSOLE_API_PREFIX}/`)) return false;
    req.url = path.slice(CONSOLE_PATH.length) || '/';
    res.setHeader('x-content-type-options', 'nosniff');
    this.consoleFiles(req, res, () => gatewayError(res, randomUUID(), '404-01'));
    return true;
  }
}

function stringHeaders(headers: APIGatewayProxyResult['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) out[k] = String(v);
  return out;
}

function gatewayError(res: ServerResponse, requestId: string, code: ErrorCode): void {
  const error = new ApiError(code);
  res.writeHead(error.status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(errorEnvelope(requestId, error)));
}
