import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { SQSRecord } from 'aws-lambda';
import type { DeliveryRecorder } from '#core/webhook/recorder.ts';
import type { DeliveryResult } from '#core/webhook/deliver.ts';
import type { QueuedMessage } from '#core/webhook/queued-message.ts';

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** Port of the client's socket: equal values mean a reused keep-alive connection. */
  remotePort: number;
}

export type Respond = (req: ReceivedRequest, res: http.ServerResponse) => void;

export interface TestServer {
  url: string;
  requests: ReceivedRequest[];
  respond: Respond;
  close(): Promise<void>;
}

/** A real HTTP(S) server on loopback; `respond` can be swapped per test. */
export async function startServer(tls?: https.ServerOptions, respond?: Respond): Promise<TestServer> {
  const requests: ReceivedRequest[] = [];
  const state: TestServer = {
    url: '',
    requests,
    respond: respond ?? ((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}')),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const listener = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const received: ReceivedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        remotePort: req.socket.remotePort ?? 0,
      };
      requests.push(received);
      state.respond(received, res);
    });
  };
  const server = tls ? https.createServer(tls, listener) : http.createServer(listener);
  // Unanswered TLS handshakes must not make the test fail noisily.
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  state.url = `${tls ? 'https' : 'http'}://${tls ? 'localhost' : '127.0.0.1'}:${port}/hook`;
  return state;
}

let seq = 0;

export interface RecordOptions {
  conversationId?: string;
  streamId?: string;
  text?: string;
  recordedAt?: number;
  receiveCount?: number;
  start?: number;
  messageId?: string;
}

export function webhookBodyJson(o: RecordOptions = {}): string {
  const start = o.start ?? 400;
  return JSON.stringify({
    type: 'transcript',
    externalConversationId: o.conversationId ?? 'conv-1',
    streamId: o.streamId ?? 'stream-1',
    sender: { externalId: 'TT9833237', role: 'customer' },
    autotranscribeResponse: {
      message: 'transcript',
      start,
      end: start + 1000,
      utterance: [{ text: o.text ?? 'Hi, my account PIN is ####, can you check my balance?' }],
    },
  });
}

/** An SQS record as Lambda delivers it, carrying the attributes the publisher sets (docs/data-model.md). */
export function sqsRecord(o: RecordOptions = {}, body = webhookBodyJson(o)): SQSRecord {
  seq++;
  const sqsId = `sqs-${seq}`;
  const attrs: Record<string, string> = {
    conversationId: (o.conversationId ?? 'conv-1').toLowerCase(),
    messageId: o.messageId ?? `01JTEST${String(seq).padStart(19, '0')}`,
    recordedAt: String(o.recordedAt ?? Date.now()),
  };
  return {
    messageId: sqsId,
    receiptHandle: `rh-${sqsId}`,
    body,
    attributes: {
      ApproximateReceiveCount: String(o.receiveCount ?? 1),
      SentTimestamp: String(Date.now()),
      SenderId: 'test',
      ApproximateFirstReceiveTimestamp: String(Date.now()),
    },
    messageAttributes: Object.fromEntries(
      Object.entries(attrs).map(([k, v]) => [
        k,
        { stringValue: v, dataType: k === 'recordedAt' ? 'Number' : 'String', stringListValues: [], binaryListValues: [] },
      ]),
    ),
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:utterances',
    awsRegion: 'us-east-1',
  };
}

export interface RecordedEvent {
  kind: 'delivered' | 'failed' | 'dropped' | 'malformed';
  itemIdentifier: string;
  messageId?: string;
  conversationId?: string;
  status?: number;
  reason?: string;
  disposition?: string;
}

/** A recorder that keeps outcomes in memory for assertions. */
export function memoryRecorder(): DeliveryRecorder & { events: RecordedEvent[] } {
  const events: RecordedEvent[] = [];
  const of = (m: QueuedMessage) => ({ itemIdentifier: m.itemIdentifier, messageId: m.messageId, conversationId: m.conversationId });
  return {
    events,
    delivered: (m: QueuedMessage, r: DeliveryResult) =>
      events.push({ kind: 'delivered', ...of(m), ...(r.status !== undefined ? { status: r.status } : {}), reason: r.reason }),
    failed: (m, r, disposition) =>
      events.push({ kind: 'failed', ...of(m), ...(r.status !== undefined ? { status: r.status } : {}), reason: r.reason, disposition }),
    dropped: (m) => events.push({ kind: 'dropped', ...of(m) }),
    malformed: (f) => events.push({ kind: 'malformed', itemIdentifier: f.itemIdentifier, reason: f.reason }),
    flush: () => undefined,
  };
}
