/**
 * The key of every store for a call: the Genesys conversation id in lower case, because start/stop
 * match `guid` against AudioHook's conversation ids case-insensitively (docs/api-contract.md §2.1).
 */
export function conversationKey(conversationId: string): string {
  return conversationId.toLowerCase();
}

/** A connection probe's conversation id: never a call (AudioHook protocol, docs/api-contract.md §2.2). */
export const PROBE_CONVERSATION_ID = '00000000-0000-0000-0000-000000000000';
