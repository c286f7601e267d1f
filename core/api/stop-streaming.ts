import type { ControlDeps } from './deps.ts';
import { ApiError } from './errors.ts';
import { stopResponse, type StopStreamingResponse } from './responses.ts';
import type { ConversationTarget } from './streaming-request.ts';
import { bestEffort, callGateway, findConversation, withConversationLock } from './conversation-control.ts';

/**
 * Preconditions and effect of stop-streaming after the body is valid (docs/api-contract.md §2.4). A span
 * that ended with the call is reported by the first stop after it, once.
 */
export async function stopStreaming(command: ConversationTarget, deps: ControlDeps): Promise<StopStreamingResponse> {
  const { conversationId } = command;
  await findConversation(deps, conversationId);

  return withConversationLock(deps, conversationId, async (conversation) => {
    const { sessionId, gatewayUrl } = conversation;
    if (conversation.sessionState === 'closing') throw new ApiError('409-203');
    const pending = conversation.pendingSummary ? await deps.conversations.takePendingSummary(conversationId) : undefined;
    if (pending) return stopResponse(pending);
    // While the session is open the gateway is asked even when the table says nothing runs: it is the
    // authority, and a start whose record was lost must still be stoppable.
    if (conversation.transcription !== 'running' && conversation.sessionState !== 'open') {
      throw new ApiError('409-201', 'transcription is not running');
    }

    const outcome = await callGateway(deps, 'stop', conversationId, () => deps.gateway.stop(gatewayUrl, conversationId, { sessionId }));
    switch (outcome.kind) {
      case 'ok':
        await bestEffort('record stop', conversationId, () => deps.conversations.recordStop(conversationId, sessionId));
        return stopResponse(outcome.results);
      case 'no-session': {
        // The call ended while this request waited; the gateway stored the span's summary as it closed.
        const summary = await deps.conversations.takePendingSummary(conversationId);
        if (summary) return stopResponse(summary);
        await bestEffort('mark session closed', conversationId, () => deps.conversations.markSessionClosed(conversationId, sessionId));
        throw new ApiError('409-201', 'transcription is not running');
      }
      case 'closing':
        throw new ApiError('409-203');
      case 'not-running':
        await bestEffort('record stop', conversationId, () => deps.conversations.recordStop(conversationId, sessionId));
        throw new ApiError('409-201', 'transcription is not running');
      case 'running':
        throw new ApiError('500-201', 'the gateway gave an answer that does not apply to stop');
    }
  });
}
