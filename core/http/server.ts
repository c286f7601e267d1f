import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The one way our HTTP listeners are built (API, gateway, control endpoint, webhook receiver): short
 * header and request deadlines, a handler failure that answers this request and nothing else, and body
 * reads bounded in size and time. Anything a client sends (malformed paths, aborted or slow bodies)
 * ends its own request, never the process.
 */

/** Request headers must be complete within this (slowloris peers are cut off). */
const HEADERS_TIMEOUT_MS = 10_000;
/** A whole request, body included; body reads answer sooner, with the server's own error shape. */
const REQUEST_TIMEOUT_MS = 30_000;
/** Longest wait for a request body to arrive once its headers are in. */
export const BODY_TIMEOUT_MS = 10_000;

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/**
 * An HTTP server whose handler may throw or reject: the request is answered by `onFailure` (or its
 * socket dropped when the answer has begun) and the server keeps serving.
 */
export function createHttpServer(handler: RequestHandler, onFailure: (res: ServerResponse, error: unknown) => void): Server {
  const server = createServer({ headersTimeout: HEADERS_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS }, (req, res) => {
    let outcome: void | Promise<void>;
    try {
      outcome = handler(req, res);
    } catch (error) {
      return fail(res, error, onFailure);
    }
    if (outcome) outcome.catch((error: unknown) => fail(res, error, onFailure));
  });
  return server;
}

function fail(res: ServerResponse, error: unknown, onFailure: (res: ServerResponse, error: unknown) => void): void {
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  try {
    onFailure(res, error);
  } catch {
    res.destroy();
  }
}

/**
 * Listens on `host:port`. `variable` names the setting the port came from, so a port in use or not
 * allowed fails with a message that says which setting to change.
 */
export function listen(server: Server, port: number, host: string, variable?: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      const setting = variable ? `${variable}=${port}` : `port ${port}`;
      if (error.code === 'EADDRINUSE')
        reject(
          new Error(`${setting}: ${host}:${port} is already in use (EADDRINUSE); choose a free port${variable ? ` with ${variable}` : ''}`),
        );
      else if (error.code === 'EACCES')
        reject(new Error(`${setting}: not allowed to listen on ${host}:${port} (EACCES); use a port above 1023`));
      else if (error.code === 'EADDRNOTAVAIL') reject(new Error(`${setting}: ${host} is not an address of this machine (EADDRNOTAVAIL)`));
      else reject(error);
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve(server.address() as AddressInfo);
    });
  });
}

/** Closes the server and every connection still open on it (keep-alive clients included). */
export function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

export type BodyRead =
  | { ok: true; body: Buffer }
  /** too-large: more than `maxBytes`; timeout: not complete in time; aborted: the client went away. */
  | { ok: false; reason: 'too-large' | 'timeout' | 'aborted' };

/**
 * Reads a request body of at most `maxBytes` within `timeoutMs`. Never rejects. On too-large or
 * timeout the rest is not read and `res` is marked to close the connection once answered; on aborted
 * there is nobody left to answer.
 */
export function readBody(req: IncomingMessage, res: ServerResponse, maxBytes: number, timeoutMs = BODY_TIMEOUT_MS): Promise<BodyRead> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const declared = Number(req.headers['content-length']);
    const finish = (result: BodyRead) => {
      clearTimeout(timer);
      req.off('data', onData).off('end', onEnd).off('error', onAborted).off('aborted', onAborted).off('close', onClose);
      if (!result.ok) {
        req.pause();
        if (!res.headersSent) res.setHeader('connection', 'close');
      }
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) return finish({ ok: false, reason: 'too-large' });
      chunks.push(chunk);
    };
    const onEnd = () => finish({ ok: true, body: Buffer.concat(chunks) });
    const onAborted = () => finish({ ok: false, reason: 'aborted' });
    const onClose = () => {
      if (!req.complete) finish({ ok: false, reason: 'aborted' });
    };
    const timer = setTimeout(() => finish({ ok: false, reason: 'timeout' }), timeoutMs);
    if (Number.isFinite(declared) && declared > maxBytes) return finish({ ok: false, reason: 'too-large' });
    req.on('data', onData).on('end', onEnd).on('error', onAborted).on('aborted', onAborted).on('close', onClose);
  });
}
