import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { Message } from '@aws-sdk/client-sqs';
import { awsClientConfig } from '../aws/clients.ts';
import { FAILURE_ATTRIBUTES } from '../webhook/dead-letter.ts';
import { parseRecord } from '../webhook/queued-message.ts';
import { sqsRecordFromMessage } from '../webhook/sqs-event.ts';

/**
 * The webhook dead-letter queue as an operator sees it: what is in it, why each message failed, which
 * conversation it belongs to. SQS has no "peek": reading receives the messages and hides them for a
 * hold time; every command releases what it did not delete (visibility 0) when it is done.
 */

export interface DeadLetterView {
  sqsMessageId: string;
  receiptHandle: string;
  /** A webhook body that may be sent again as is; false for records the function rejected as malformed. */
  replayable: boolean;
  conversationId?: string;
  /** The utterance's ULID. */
  messageId?: string;
  streamId?: string;
  role?: string;
  startMs?: number;
  endMs?: number;
  /** Epoch ms the utterance was recorded. */
  recordedAt?: number;
  /** Epoch ms of the failed attempt (set when the function dead-lettered it itself). */
  failedAt?: number;
  /** Epoch ms the message entered the DLQ (or, after a redrive, the original queue). */
  sentAt?: number;
  attempts?: number;
  status?: number;
  /** Why it failed: the function's reason, or why the body cannot be replayed. */
  reason: string;
  body: string;
}

/** Said when the queue's redrive policy moved the message: the reason is only in the function's log. */
const REDRIVE_REASON = 'unknown (moved by the redrive policy; see the webhook function log)';

export interface ReadOptions {
  /** Stop after this many messages. */
  limit: number;
  /** Seconds the read messages stay hidden from other readers. */
  holdSeconds: number;
  onProgress?: (read: number) => void;
}

export class DeadLetterQueue {
  readonly client: SQSClient;

  constructor(
    readonly url: string,
    // Routed by AWS_ENDPOINT_URL_SQS rather than the queue URL's host (see core/webhook/visibility.ts).
    client?: SQSClient,
  ) {
    this.client = client ?? new SQSClient({ ...awsClientConfig(), useQueueUrlAsEndpoint: false });
  }

  /** Approximate counts SQS reports: waiting, and hidden (being read or replayed right now). */
  async depth(): Promise<{ visible: number; hidden: number }> {
    const out = await this.client.send(
      new GetQueueAttributesCommand({
        QueueUrl: this.url,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return {
      visible: Number(out.Attributes?.ApproximateNumberOfMessages ?? 0),
      hidden: Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0),
    };
  }

  /** Receives up to `limit` messages; ends at the first empty long poll (it asks every SQS server: the queue is drained). */
  async read(options: ReadOptions): Promise<DeadLetterView[]> {
    const seen = new Map<string, DeadLetterView>();
    while (seen.size < options.limit) {
      const { Messages = [] } = await this.client.send(
        new ReceiveMessageCommand({
          QueueUrl: this.url,
          MaxNumberOfMessages: Math.min(10, options.limit - seen.size),
          WaitTimeSeconds: 1,
          VisibilityTimeout: options.holdSeconds,
          MessageAttributeNames: ['All'],
          MessageSystemAttributeNames: ['All'],
        }),
      );
      if (Messages.length === 0) break;
      for (const m of Messages) {
        if (m.MessageId && !seen.has(m.MessageId)) seen.set(m.MessageId, describeDeadLetter(m, this.url));
      }
      options.onProgress?.(seen.size);
    }
    return [...seen.values()];
  }

  /** Makes messages visible again at once. Best effort per message; returns how many were released. */
  async release(letters: readonly DeadLetterView[]): Promise<number> {
    let released = 0;
    for (let i = 0; i < letters.length; i += 10) {
      const chunk = letters.slice(i, i + 10);
      const out = await this.client.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: this.url,
          Entries: chunk.map((l, j) => ({ Id: String(j), ReceiptHandle: l.receiptHandle, VisibilityTimeout: 0 })),
        }),
      );
      released += out.Successful?.length ?? 0;
    }
    return released;
  }

  async remove(letter: DeadLetterView): Promise<void> {
    await this.client.send(new DeleteMessageCommand({ QueueUrl: this.url, ReceiptHandle: letter.receiptHandle }));
  }

  close(): void {
    this.client.destroy();
  }
}

/** One DLQ message, read through the same validation the webhook function applies. */
function describeDeadLetter(m: Message, queueUrl: string): DeadLetterView {
  const record = sqsRecordFromMessage(m, queueUrl);
  const attr = (name: string): string | undefined => m.MessageAttributes?.[name]?.StringValue || undefined;
  const num = (v: string | undefined): number | undefined => {
    const n = v === undefined ? Number.NaN : Number(v);
    return Number.isFinite(n) ? n : undefined;
  };
  const parsed = parseRecord(record);
  const failure = attr(FAILURE_ATTRIBUTES.reason);
  const common = {
    sqsMessageId: m.MessageId ?? '',
    receiptHandle: m.ReceiptHandle ?? '',
    body: m.Body ?? '',
    ...defined({
      failedAt: num(attr(FAILURE_ATTRIBUTES.failedAt)),
      sentAt: num(m.Attributes?.SentTimestamp),
      attempts: num(attr(FAILURE_ATTRIBUTES.attempts)),
      status: num(attr(FAILURE_ATTRIBUTES.status)),
    }),
  };
  if (!parsed.ok) {
    return {
      ...common,
      replayable: false,
      reason: failure ?? parsed.reason,
      ...defined({ conversationId: parsed.conversationId, messageId: parsed.messageId, recordedAt: num(attr('recordedAt')) }),
    };
  }
  const body = JSON.parse(parsed.message.body) as {
    sender: { role: string };
    autotranscribeResponse: { start: number; end: number };
  };
  return {
    ...common,
    replayable: true,
    reason: failure ?? REDRIVE_REASON,
    conversationId: parsed.message.conversationId,
    messageId: parsed.message.messageId,
    streamId: parsed.message.streamId,
    role: body.sender.role,
    startMs: body.autotranscribeResponse.start,
    endMs: body.autotranscribeResponse.end,
    recordedAt: parsed.message.recordedAt,
  };
}

function defined<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
