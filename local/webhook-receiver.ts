import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeServer, createHttpServer, listen, readBody } from '#core/http/server.ts';
import type { WebhookBody } from '#core/webhook/body.ts';

/**
 * The built-in webhook target of `npm start` when WEBHOOK_URL is not set: it accepts the POSTs a
 * customer's endpoint would, and prints each transcript as it arrives, so a call can be watched
 * being transcribed live. It prints what the webhook carries, i.e. the text as redacted for the call.
 */
const MAX_KEPT = 10_000;
/** Far above one transcript POST (the webhook batches nothing larger). */
const MAX_BODY_BYTES = 1024 * 1024;

export class WebhookReceiver {
  private readonly http: Server;
  /** The most recent transcripts (at most MAX_KEPT: a long-running `npm start` must not grow without end). */
  readonly received: WebhookBody[] = [];

  constructor(
    private readonly print: (line: string) => void = (line) => console.log(line),
    /** Told of each transcript with its arrival time (performance.now()), e.g. for latency figures. */
    private readonly onTranscript?: (body: WebhookBody, arrivedAt: number) => void,
  ) {
    this.http = createHttpServer(
      (req, res) => this.receive(req, res),
      (res) => res.writeHead(500).end(),
    );
  }

  private async receive(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const read = await readBody(req, res, MAX_BODY_BYTES);
    if (!read.ok) {
      if (read.reason !== 'aborted') res.writeHead(read.reason === 'too-large' ? 413 : 408).end();
      return;
    }
    let body: WebhookBody;
    let line: string;
    try {
      body = JSON.parse(read.body.toString('utf8')) as WebhookBody;
      line = formatTranscript(body); // a body without the transcript's shape is refused, not kept
    } catch {
      res.writeHead(400).end();
      return;
    }
    this.onTranscript?.(body, performance.now());
    this.received.push(body);
    if (this.received.length > MAX_KEPT) this.received.splice(0, this.received.length - MAX_KEPT);
    this.print(line);
    res.writeHead(204).end();
  }

  listen(port: number, host: string): Promise<AddressInfo> {
    return listen(this.http, port, host, 'WEBHOOK_RECEIVER_PORT');
  }

  close(): Promise<void> {
    return closeServer(this.http);
  }
}

const seconds = (ms: number) => (ms / 1000).toFixed(1).padStart(6);

function formatTranscript(body: WebhookBody): string {
  const r = body.autotranscribeResponse;
  const who = body.sender.role.padEnd(8);
  const text = r.utterance[0]?.text ?? '';
  return `[${body.externalConversationId.slice(0, 8)}] ${seconds(r.start)}s–${seconds(r.end)}s  ${who} ${text}`;
}
