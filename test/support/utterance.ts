import type { Utterance } from '#core/domain/utterance.ts';

/** Utterance `i` of a call as the gateway records it, `i` seconds into the call (queue and webhook tests). */
export function testUtterance(i: number, conversationId = 'conv-1'): Utterance {
  return {
    conversationId,
    externalConversationId: conversationId.toUpperCase(),
    messageId: `01JTEST${String(i).padStart(19, '0')}`,
    streamId: 's-1',
    role: i % 2 ? 'agent' : 'customer',
    externalId: 'X',
    startMs: i * 1000,
    endMs: i * 1000 + 500,
    maskedText: `text ####`,
    rawText: `text ${i}`,
    redactionOutput: 'redacted',
    clientTimestamp: new Date(0).toISOString(),
    createdTimestamp: new Date(1_700_000_000_000 + i).toISOString(),
    tenant: 't',
  };
}
