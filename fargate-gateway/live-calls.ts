import type { Call } from './call.ts';

/**
 * The live calls of this gateway task by conversation id. Genesys may open several AudioHook sessions
 * for one conversation; the control API acts on the most recently opened one that has not ended
 * (docs/api-contract.md §2.2).
 */
export class LiveCalls {
  private readonly byConversation = new Map<string, Call[]>();

  add(call: Call): void {
    const key = call.conversationId.toLowerCase();
    const calls = this.byConversation.get(key);
    if (calls) calls.push(call);
    else this.byConversation.set(key, [call]);
  }

  remove(call: Call): void {
    const key = call.conversationId.toLowerCase();
    const calls = this.byConversation.get(key);
    if (!calls) return;
    const rest = calls.filter((c) => c !== call);
    if (rest.length > 0) this.byConversation.set(key, rest);
    else this.byConversation.delete(key);
  }

  /** The call start/stop should act on, if any: the newest session not yet closed, else the newest. */
  find(conversationId: string): Call | undefined {
    const calls = this.byConversation.get(conversationId.toLowerCase());
    if (!calls || calls.length === 0) return undefined;
    for (let i = calls.length - 1; i >= 0; i--) if (!calls[i].isClosing) return calls[i];
    return calls[calls.length - 1];
  }

  /** Every call held, oldest session first per conversation (a read-only view for the console's live feed). */
  *all(): IterableIterator<Call> {
    for (const calls of this.byConversation.values()) yield* calls;
  }

  get size(): number {
    let n = 0;
    for (const calls of this.byConversation.values()) n += calls.length;
    return n;
  }
}
