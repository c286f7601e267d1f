import { logger } from '../logger.ts';
import type { ConversationRecord } from '../stores/conversations.ts';
import { PROBE_CONVERSATION_ID } from '../stores/conversation-key.ts';
import type { ControlDeps } from './deps.ts';
import { ApiError } from './errors.ts';
import { GatewayUnavailableError, type ControlOutcome } from './gateway-control-client.ts';

/** Steps start-streaming and stop-streaming share: finding the call, the lock, the gateway call. */

/** The call's record, or 400-203 (never connected, or a connection probe's all-zero id). */
export async function findConversation(deps: ControlDeps, conversationId: string, waitMs = 0): Promise<ConversationRecord> {
  if (conversationId === PROBE_CONVERSATION_ID) throw new ApiError('400-203', 'connection probes carry no call');
  const deadline = performance.now() + waitMs;
  for (let pause = 25; ; pause = Math.min(pause * 2, 200)) {
    const conversation = await deps.conversations.getConversation(conversationId);
    if (conversation) return conversation;
    const left = deadline - performance.now();
    if (left <= 0) throw new ApiError('400-203');
    await new Promise((resolve) => setTimeout(resolve, Math.min(pause, left)));
  }
}

/** Runs `work` holding the conversation's lock (409-202 when another request holds it). */
export async function withConversationLock<T>(
  deps: ControlDeps,
  conversationId: string,
  work: (conversation: ConversationRecord) => Promise<T>,
): Promise<T> {
  const owner = deps.ids.lockOwner();
  const conversation = await deps.conversations.acquireLock(conversationId, owner);
  if (!conversation) throw new ApiError('409-202');
  try {
    return await work(conversation);
  } finally {
    // The lock expires by itself, so a failed release only delays the next request.
    await bestEffort('release lock', conversationId, () => deps.conversations.releaseLock(conversationId, owner));
  }
}

export async function callGateway<T>(
  deps: ControlDeps,
  action: 'start' | 'stop',
  conversationId: string,
  call: () => Promise<ControlOutcome<T>>,
): Promise<ControlOutcome<T>> {
  const startedAt = deps.clock.now();
  try {
    const outcome = await call();
    logger.info('gateway control answered', { action, conversationId, outcome: outcome.kind, latencyMs: deps.clock.now() - startedAt });
    return outcome;
  } catch (error) {
    if (!(error instanceof GatewayUnavailableError)) throw error;
    logger.error('gateway control failed', { action, conversationId, reason: error.message, latencyMs: deps.clock.now() - startedAt });
    throw new ApiError('500-201', 'the gateway holding the call is unreachable');
  }
}

/**
 * Brings the table in line with what the gateway just reported. Failure is only logged: the request
 * already has its answer, and the next start/stop will meet the same disagreement and repair it again.
 */
export async function bestEffort(what: string, conversationId: string, repair: () => Promise<unknown>): Promise<void> {
  try {
    await repair();
  } catch (error) {
    logger.warn('control state update failed', { what, conversationId, reason: (error as Error).name });
  }
}
