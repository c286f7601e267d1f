import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeServer, listen } from '../core/http/server.ts';
import type { WebhookBody } from '../core/webhook/body.ts';

/**
 * The built-in webhook target of `npm start` when WEBHOOK_URL is not set: it accepts the POSTs a
 * customer's endpoint would, and prints each transcript as it arrives, so a call can be watched
 * being transcribed live. It prints what the webhook carries, i.e. the text as redacted for the call.
 */
export class WebhookReceiver {
  private readonly http: Server;
  readonly received: WebhookBody[] = [];

  constructor(
    private readonly print: (line: string) => void = (line) => console.log(line),
    /** Told of each transcript with its arrival time (performance.now()), e.g. for latency figures. */
    private readonly onTranscript?: (body: WebhookBody, arrivedAt: number) => void,
  ) {
    this.http = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as WebhookBody;
          this.onTranscript?.(body, performance.now());
          this.received.push(body);
          this.print(formatTranscript(body));
          res.writeHead(204).end();
        } catch {
          res.writeHead(400).end();
        }
      });
    });
  }

  listen(port: number, host: string): Promise<AddressInfo> {
    return listen(this.http, port, host);
  }

  close(): Promise<void> {
    return closeServer(this.http);
  }
}

const seconds = (ms: number) => (ms / 1000).toFixed(1).padStart(6);

export function formatTranscript(body: WebhookBody): string {
  const r = body.autotranscribeResponse;
  const who = body.sender.role.padEnd(8);
  const text = r.utterance[0]?.text ?? '';
  return `[${body.externalConversationId.slice(0, 8)}] ${seconds(r.start)}s–${seconds(r.end)}s  ${who} ${text}`;
}
