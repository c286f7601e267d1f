import type { SQSRecord } from 'aws-lambda';
import { z } from 'zod';

/**
 * One record of the `utterances` queue, validated (docs/data-model.md: body = webhook body, attributes
 * conversationId, messageId, recordedAt). Only ids and times are lifted out for logging; the body is
 * forwarded as the exact string that was queued.
 */
export interface QueuedMessage {
  /** SQS message id: what a batch item failure names. */
  itemIdentifier: string;
  receiptHandle: string;
  conversationId: string;
  /** The utterance's ULID (attribute), or the SQS id when the publisher did not set it. */
  messageId: string;
  streamId: string;
  /** Epoch ms when the utterance was recorded; the delivery deadline counts from here. */
  recordedAt: number;
  /** 1 on first delivery; SQS increments it on every receive. */
  receiveCount: number;
  body: string;
}

export type ParsedRecord =
  | { ok: true; message: QueuedMessage }
  | { ok: false; itemIdentifier: string; receiptHandle: string; reason: string; conversationId?: string; messageId?: string };

const tokenSchema = z.object({
  content: z.string(),
  start: z.number().int(),
  end: z.number().int(),
  punctuationAfter: z.string().optional(),
  punctuationBefore: z.string().optional(),
});

/** The webhook body of docs/api-contract.md §3.1–3.2; a body that does not match is never sent to a customer. */
export const webhookBodySchema = z.object({
  type: z.literal('transcript'),
  externalConversationId: z.string().min(1),
  streamId: z.string().min(1),
  sender: z.object({ externalId: z.string(), role: z.enum(['customer', 'agent']) }),
  autotranscribeResponse: z.object({
    message: z.literal('transcript'),
    start: z.number().int().nonnegative(),
    end: z.number().int().nonnegative(),
    utterance: z
      .array(z.object({ text: z.string(), token: z.array(tokenSchema).optional() }))
      .min(1)
      .max(2),
  }),
});

export function parseRecord(record: SQSRecord): ParsedRecord {
  const attr = (name: string): string | undefined => {
    const value = record.messageAttributes?.[name]?.stringValue;
    return value === undefined || value === '' ? undefined : value;
  };
  const base = { itemIdentifier: record.messageId, receiptHandle: record.receiptHandle };
  const conversationAttr = attr('conversationId')?.toLowerCase();
  const messageIdAttr = attr('messageId');
  const ids = {
    ...(conversationAttr ? { conversationId: conversationAttr } : {}),
    ...(messageIdAttr ? { messageId: messageIdAttr } : {}),
  };
  const fail = (reason: string): ParsedRecord => ({ ok: false, ...base, ...ids, reason });

  let json: unknown;
  try {
    json = JSON.parse(record.body);
  } catch {
    return fail('malformed: body is not JSON');
  }
  const parsed = webhookBodySchema.safeParse(json);
  if (!parsed.success) {
    // Paths and codes only: zod messages are safe today, but the body carries transcript text.
    const where = parsed.error.issues
      .slice(0, 3)
      .map((i) => `${i.path.join('.') || '(root)'} ${i.code}`)
      .join(', ');
    return fail(`malformed: body is not a webhook body (${where})`);
  }

  // SentTimestamp is a safe stand-in for a publisher that did not stamp recordedAt: it is never earlier.
  const recordedAt = Number(attr('recordedAt') ?? record.attributes?.SentTimestamp);
  if (!Number.isFinite(recordedAt) || recordedAt <= 0) return fail('malformed: no usable recordedAt');

  const receiveCount = Number.parseInt(record.attributes?.ApproximateReceiveCount ?? '1', 10);
  return {
    ok: true,
    message: {
      ...base,
      conversationId: conversationAttr ?? parsed.data.externalConversationId.toLowerCase(),
      messageId: messageIdAttr ?? record.messageId,
      streamId: parsed.data.streamId,
      recordedAt,
      receiveCount: Number.isFinite(receiveCount) && receiveCount > 0 ? receiveCount : 1,
      body: record.body,
    },
  };
}
