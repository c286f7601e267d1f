import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';

export interface PostResult {
  /** HTTP status when a response arrived. */
  status?: number;
  /** Set when no response arrived: `timeout` or the Node/OpenSSL error code (e.g. ECONNRESET, CERT_HAS_EXPIRED). */
  error?: string;
  /** Response body, only when asked for (the token endpoint); webhook responses are drained unread. */
  body?: string;
  latencyMs: number;
}

export interface PostOptions {
  agent: http.Agent;
  headers: http.OutgoingHttpHeaders;
  /** Whole exchange, connect to last response byte. */
  timeoutMs: number;
  readBody?: boolean;
}

const MAX_BODY_BYTES = 64 * 1024;
/** Errors that mean a pooled connection was closed by the peer while idle, before our request reached it. */
const STALE_SOCKET_ERRORS = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);

/**
 * One POST with a hard deadline. Never rejects: every outcome is a PostResult. Error *codes* only are
 * surfaced, because some Node error messages quote header values (which may be tokens).
 *
 * A request that fails on a reused keep-alive socket before any response byte is sent once more on a
 * fresh socket (as Node's docs advise for `request.reusedSocket`): after a Lambda freeze the pool often
 * holds sockets the target has closed, and that is our connection problem, not a delivery failure.
 */
export async function post(url: URL, payload: string, options: PostOptions): Promise<PostResult> {
  const started = performance.now();
  const deadline = started + options.timeoutMs;
  let result = await postOnce(url, payload, options, options.timeoutMs);
  if (result.staleSocket && performance.now() < deadline) {
    result = await postOnce(url, payload, options, deadline - performance.now());
  }
  const { staleSocket: _ignored, ...rest } = result;
  return { ...rest, latencyMs: performance.now() - started };
}

type Attempt = Omit<PostResult, 'latencyMs'> & { staleSocket?: boolean };

function postOnce(url: URL, payload: string, options: PostOptions, timeoutMs: number): Promise<Attempt> {
  return new Promise((resolve) => {
    let settled = false;
    let responded = false;
    const finish = (r: Attempt) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    const transport = url.protocol === 'https:' ? https : http;
    const req = transport.request(
      url,
      {
        method: 'POST',
        agent: options.agent,
        headers: { ...options.headers, 'content-length': Buffer.byteLength(payload) },
      },
      (res) => {
        responded = true;
        const status = res.statusCode ?? 0;
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          if (!options.readBody || size >= MAX_BODY_BYTES) return;
          size += chunk.length;
          chunks.push(chunk);
        });
        res.on('end', () => {
          finish(options.readBody ? { status, body: Buffer.concat(chunks).toString('utf8') } : { status });
        });
        // The status is known, so a body cut short does not change the outcome.
        res.on('error', () => finish({ status }));
        res.on('aborted', () => finish({ status }));
      },
    );
    const timer = setTimeout(
      () => {
        finish({ error: 'timeout' });
        req.destroy();
      },
      Math.max(1, timeoutMs),
    );
    req.on('error', (err: NodeJS.ErrnoException) => {
      const code = err.code ?? 'request-error';
      finish({ error: code, staleSocket: req.reusedSocket && !responded && STALE_SOCKET_ERRORS.has(code) });
    });
    req.end(payload);
  });
}
