import { describe, expect, it } from 'vitest';
import { parseRecord } from '#core/webhook/queued-message.ts';
import { webhookBody } from '#core/webhook/body.ts';
import type { Utterance } from '#core/domain/utterance.ts';
import { sqsRecord } from '#test/integration/webhook/support/servers.ts';

describe('parseRecord', () => {
  it('lifts ids and times out of a well-formed record and keeps the body string as queued', () => {
    const record = sqsRecord({ conversationId: 'ABC-1', streamId: 's-9', recordedAt: 1_700_000_000_123, receiveCount: 2 });
    const parsed = parseRecord(record);
    expect(parsed).toEqual({
      ok: true,
      message: {
        itemIdentifier: record.messageId,
        receiptHandle: record.receiptHandle,
        conversationId: 'abc-1',
        messageId: record.messageAttributes.messageId.stringValue,
        streamId: 's-9',
        recordedAt: 1_700_000_000_123,
        receiveCount: 2,
        body: record.body,
      },
    });
  });

  it('accepts bodies built by core/webhook/body.ts, with tokens and both texts', () => {
    const u: Utterance = {
      conversationId: 'c',
      externalConversationId: 'C',
      messageId: 'm',
      streamId: 's',
      role: 'agent',
      externalId: 'A1',
      startMs: 5120,
      endMs: 6050,
      maskedText: 'Sure, one moment.',
      rawText: 'Sure, one moment.',
      tokens: [{ content: 'Sure', start: 5120, end: 5390, punctuationAfter: ',' }],
      redactionOutput: 'unredacted',
      clientTimestamp: '',
      createdTimestamp: '',
      tenant: 't',
    };
    for (const redactionOutput of ['unredacted', 'redacted', 'redacted_and_unredacted'] as const) {
      const body = JSON.stringify(webhookBody({ ...u, redactionOutput }));
      expect(parseRecord(sqsRecord({}, body)).ok).toBe(true);
    }
  });

  it('falls back to the body and SQS attributes when the publisher set no attributes', () => {
    const record = sqsRecord({ conversationId: 'XYZ' });
    record.messageAttributes = {};
    record.attributes.SentTimestamp = '1700000000000';
    const parsed = parseRecord(record);
    expect(parsed.ok && parsed.message).toMatchObject({
      conversationId: 'xyz',
      messageId: record.messageId,
      recordedAt: 1_700_000_000_000,
    });
  });

  it('rejects non-JSON and non-webhook bodies without quoting them', () => {
    const notJson = parseRecord(sqsRecord({}, 'my PIN is 1234'));
    expect(notJson).toMatchObject({ ok: false, reason: 'malformed: body is not JSON', conversationId: 'conv-1' });

    const wrong = parseRecord(sqsRecord({}, JSON.stringify({ type: 'transcript', secretText: 'my PIN is 1234' })));
    expect(wrong.ok).toBe(false);
    if (!wrong.ok) {
      expect(wrong.reason).toMatch(/^malformed: body is not a webhook body \(externalConversationId invalid_type/);
      expect(wrong.reason).not.toContain('1234');
    }
  });

  it('rejects a record without any usable timestamp', () => {
    const record = sqsRecord();
    record.messageAttributes.recordedAt.stringValue = 'yesterday';
    expect(parseRecord(record)).toMatchObject({ ok: false, reason: 'malformed: no usable recordedAt' });
  });
});
