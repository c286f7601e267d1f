import { z } from 'zod';
import { LIVE_STALE_AFTER_MS, LIVE_STATES, type LiveCallView } from '../domain/live-call.ts';
import { ROLES, type Role } from '../domain/participant.ts';
import type { ConversationSnapshot, LiveCallsStore } from '../stores/live-calls.ts';

/** GET /console/v1/live-calls (docs/console.md §2.1): every session a gateway task holds. */
const roleSchema = z.enum(ROLES);
export const liveCallItemSchema = z.object({
  conversationId: z.string(),
  sessionId: z.string(),
  state: z
    .enum([...LIVE_STATES, 'lost'])
    .meta({ description: '`lost`: the holding gateway task stopped publishing (crashed or unreachable).' }),
  probe: z.boolean(),
  participants: z.array(z.object({ role: roleSchema, streamId: z.string().nullable() })),
  openedAt: z.string(),
  durationMs: z.number(),
  receivedMs: z.object({ customer: z.number(), agent: z.number() }),
  utterances: z.number().int(),
  openLatencyMs: z.number(),
  transcription: z.enum(['running', 'stopped']).nullable(),
});
export type LiveCallItem = z.infer<typeof liveCallItemSchema>;

export const liveCallsResponseSchema = z.object({ calls: z.array(liveCallItemSchema), asOf: z.string() }).meta({ id: 'LiveCallsResponse' });
export type LiveCallsResponse = z.infer<typeof liveCallsResponseSchema>;

export async function listLiveCalls(deps: { live: Pick<LiveCallsStore, 'listLive'> }, now: number): Promise<LiveCallsResponse> {
  const snapshots = await deps.live.listLive();
  const calls = snapshots
    .filter((s): s is ConversationSnapshot & { live: LiveCallView } => s.live !== undefined)
    .map((s) => liveCallItem(s, now))
    .sort((a, b) => (a.openedAt < b.openedAt ? 1 : a.openedAt > b.openedAt ? -1 : 0));
  return { calls, asOf: new Date(now).toISOString() };
}

export function liveCallItem(s: ConversationSnapshot & { live: LiveCallView }, now: number): LiveCallItem {
  const view = s.live;
  const streamIdOf = (role: Role) => (role === 'customer' ? s.customerStreamId : s.agentStreamId) ?? null;
  return {
    conversationId: s.conversationId,
    sessionId: view.sessionId,
    state: stateAt(view, now),
    probe: view.probe,
    participants: view.participants.map((role) => ({ role, streamId: streamIdOf(role) })),
    openedAt: view.openedAt,
    durationMs: Math.max(0, (view.state === 'closed' ? Date.parse(view.publishedAt) : now) - Date.parse(view.openedAt)),
    receivedMs: view.receivedMs,
    utterances: view.utterances,
    openLatencyMs: view.openLatencyMs,
    transcription: s.transcription ?? null,
  };
}

/** A live view nobody refreshed for LIVE_STALE_AFTER_MS belongs to a task that is gone. */
function stateAt(view: LiveCallView, now: number): LiveCallItem['state'] {
  if (view.state !== 'closed' && now - Date.parse(view.publishedAt) > LIVE_STALE_AFTER_MS) return 'lost';
  return view.state;
}
