import { describe, expect, it } from 'vitest';
import { feedEncoder } from '#core/daily-export/feed-encoder.ts';
import { EXTRA_COLUMNS, FEED_COLUMNS, toFeedRow } from '#core/daily-export/feed-row.ts';
import { storedMessage } from './support/messages.ts';
import { parseCsvObjects } from './support/rfc4180.ts';

const options = { extraColumns: false, defaultTenant: 'default' };

describe('feed rows', () => {
  it('has exactly the nine documented columns, in order', () => {
    expect(FEED_COLUMNS).toEqual([
      'conversation_id',
      'message_id',
      'instance_ts',
      'chat_message_event_ts',
      'external_conversation_id',
      'utterance',
      'company_marker',
      'dt',
      'hr',
    ]);
    const row = toFeedRow(storedMessage('2026-11-24T13:07:56.412Z'), options)!;
    expect(Object.keys(row)).toEqual([...FEED_COLUMNS]);
  });

  it('maps a stored message onto the columns', () => {
    const message = storedMessage('2026-11-24T13:07:56.412Z', {
      conversationId: '8c259fea-0000-4000-8000-00000000abcd',
      externalConversationId: '8C259FEA-0000-4000-8000-00000000ABCD',
      text: 'my PIN is ####',
      tenant: 'acme',
    });
    expect(toFeedRow(message, options)).toEqual({
      conversation_id: '8c259fea-0000-4000-8000-00000000abcd',
      message_id: message.messageId,
      instance_ts: '2026-11-24T13:00:00.000Z',
      chat_message_event_ts: '2026-11-24T13:07:56.412Z',
      external_conversation_id: '8C259FEA-0000-4000-8000-00000000ABCD',
      utterance: 'my PIN is ####',
      company_marker: 'acme',
      dt: '2026-11-24',
      hr: '13',
    });
  });

  it('normalises the timestamp to UTC with milliseconds and buckets by its UTC hour', () => {
    const row = toFeedRow(storedMessage('2026-11-24T00:30:00+01:00'), options)!;
    expect(row).toMatchObject({
      chat_message_event_ts: '2026-11-23T23:30:00.000Z',
      instance_ts: '2026-11-23T23:00:00.000Z',
      dt: '2026-11-23',
      hr: '23',
    });
  });

  it('keeps the hour boundaries: 23:59:59.999 and 00:00:00.000', () => {
    expect(toFeedRow(storedMessage('2026-11-23T23:59:59.999Z'), options)).toMatchObject({
      dt: '2026-11-23',
      hr: '23',
      instance_ts: '2026-11-23T23:00:00.000Z',
    });
    expect(toFeedRow(storedMessage('2026-11-24T00:00:00.000Z'), options)).toMatchObject({
      dt: '2026-11-24',
      hr: '00',
      instance_ts: '2026-11-24T00:00:00.000Z',
    });
  });

  it('falls back to the default tenant for an item without one', () => {
    expect(toFeedRow(storedMessage('2026-11-24T13:00:00.000Z', { tenant: '' }), options)!.company_marker).toBe('default');
  });

  it('returns undefined for an unreadable timestamp', () => {
    expect(toFeedRow(storedMessage('2026-11-24T13:00:00.000Z', { createdTimestamp: 'yesterday' }), options)).toBeUndefined();
  });

  it('appends the opt-in columns after the nine', () => {
    const message = storedMessage('2026-11-24T13:00:00.000Z', {
      role: 'agent',
      externalId: 'AGENT-7',
      streamId: 's-1',
      startMs: 400,
      endMs: 3968,
    });
    const row = toFeedRow(message, { ...options, extraColumns: true })!;
    expect(Object.keys(row)).toEqual([...FEED_COLUMNS, ...EXTRA_COLUMNS]);
    expect(row).toMatchObject({ sender_role: 'agent', sender_external_id: 'AGENT-7', stream_id: 's-1', start_ms: 400, end_ms: 3968 });
    expect(toFeedRow({ ...message, externalId: '' }, { ...options, extraColumns: true })!.sender_external_id).toBeNull();
  });
});

describe('feed encoders', () => {
  const row = toFeedRow(storedMessage('2026-11-24T13:07:56.412Z', { text: 'Hi, "there"\nsecond line' }), options)!;

  it('JSON Lines: one object per line with the columns as keys in order', () => {
    const encoder = feedEncoder('jsonl', false);
    expect(encoder.header).toBe('');
    const line = encoder.record(row);
    expect(line.endsWith('\n')).toBe(true);
    expect(line.slice(0, -1)).not.toContain('\n');
    expect(Object.keys(JSON.parse(line))).toEqual([...FEED_COLUMNS]);
    expect(JSON.parse(line)).toEqual(row);
  });

  it('CSV: header row then RFC 4180 records in the same order', () => {
    const encoder = feedEncoder('csv', false);
    const parsed = parseCsvObjects(encoder.header + encoder.record(row));
    expect(parsed.header).toEqual([...FEED_COLUMNS]);
    expect(parsed.rows).toEqual([row]);
  });

  it('CSV with extra columns writes numbers and an empty field for null', () => {
    const extra = toFeedRow(storedMessage('2026-11-24T13:00:00.000Z', { externalId: '', startMs: 5, endMs: 9 }), {
      ...options,
      extraColumns: true,
    })!;
    const encoder = feedEncoder('csv', true);
    const parsed = parseCsvObjects(encoder.header + encoder.record(extra));
    expect(parsed.header).toEqual([...FEED_COLUMNS, ...EXTRA_COLUMNS]);
    expect(parsed.rows[0]).toMatchObject({ sender_external_id: '', start_ms: '5', end_ms: '9' });
  });
});
