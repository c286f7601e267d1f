import { randomBytes, randomUUID } from 'node:crypto';
import { WebSocket } from 'ws';
import { signRequest } from '#gateway/audiohook/signature.ts';
import type { TestGateway } from '../support/gateway.ts';

/** What an attacker (or a broken client) does on the wire, without the well-behaved simulator's manners. */

export interface RawPeer {
  ws: WebSocket;
  sessionId: string;
  /** Text messages received, parsed. */
  received: Array<{ type: string; seq: number; parameters: Record<string, unknown> }>;
  closed: Promise<number>;
  /** Sends an AudioHook message; `seq` counts up unless given. */
  send(type: string, parameters?: Record<string, unknown>, seq?: number): void;
}

export interface RawPeerOptions {
  apiKey?: string;
  /** Base64 client secret to sign with; unsigned when absent. */
  clientSecret?: string;
  headers?: Record<string, string>;
}

/** Connects a raw WebSocket to the gateway; resolves once the upgrade completed. */
export async function connectRawPeer(gw: TestGateway, options: RawPeerOptions = {}): Promise<RawPeer> {
  const url = new URL(gw.url);
  const sessionId = randomUUID();
  const ids = { organizationId: randomUUID(), sessionId, correlationId: randomUUID() };
  const headers: Record<string, string> = {
    'Audiohook-Organization-Id': ids.organizationId,
    'Audiohook-Session-Id': ids.sessionId,
    'Audiohook-Correlation-Id': ids.correlationId,
    'X-API-KEY': options.apiKey ?? 'no-such-key',
  };
  if (options.clientSecret) {
    const signed = signRequest({
      apiKey: headers['X-API-KEY'],
      secret: Buffer.from(options.clientSecret, 'base64'),
      requestTarget: url.pathname,
      authority: url.host,
      ...ids,
      nonce: randomBytes(18).toString('base64'),
    });
    headers['Signature-Input'] = signed['signature-input'];
    headers.Signature = signed.signature;
  }
  Object.assign(headers, options.headers);
  const ws = new WebSocket(url, { headers, perMessageDeflate: false });
  const received: RawPeer['received'] = [];
  ws.on('message', (data, isBinary) => {
    if (!isBinary) received.push(JSON.parse(String(data)));
  });
  ws.on('error', () => undefined);
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    ws.once('error', reject);
  });
  let seq = 0;
  return {
    ws,
    sessionId,
    received,
    closed,
    send(type, parameters = {}, explicitSeq) {
      seq = explicitSeq ?? seq + 1;
      if (ws.readyState === WebSocket.OPEN)
        ws.send(JSON.stringify({ version: '2', id: sessionId, type, seq, position: 'PT0S', parameters }));
    },
  };
}

/** Polls until `predicate` holds; fails after `timeoutMs`. */
export async function until(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
