import { logger } from '../logger.ts';
import type { ControlDeps } from './deps.ts';
import { ApiError } from './errors.ts';
import { anyParticipantOk, startResponse, type StartStreamingResponse } from './responses.ts';
import type { StartCommand } from './streaming-request.ts';
import { bestEffort, callGateway, findConversation, withConversationLock } from './conversation-control.ts';

/**
 * How long start waits for a call it cannot find yet. The gateway registers a call right after sending
 * `opened` (never before: Genesys gives the open 5 s), so a start sent the moment `opened` arrives can
 * overtake the registration; within this wait it finds the call instead of answering 400-203.
 */
export const REGISTRATION_WAIT_MS = 2_000;

/**
 * Preconditions and effect of start-streaming after the body is valid (docs/api-contract.md §2.2, §2.3).
 * The gateway is the authority on whether a span runs; the table follows what it answers.
 */
export async function startStreaming(
  command: StartCommand,
  principal: { tenant: string },
  deps: ControlDeps,
): Promise<StartStreamingResponse> {
  const { conversationId } = command;
  const found = await findConversation(deps, conversationId, REGISTRATION_WAIT_MS);
  if (found.sessionState === 'closed') throw new ApiError('400-203', 'the call has ended');

  return withConversationLock(deps, conversationId, async (conversation) => {
    const { sessionId, gatewayUrl } = conversation;
    if (conversation.sessionState === 'closed') throw new ApiError('400-203', 'the call has ended');
    if (conversation.sessionState === 'closing') throw new ApiError('409-203');
    if (conversation.transcription === 'running') throw new ApiError('409-201', 'transcription is already running');

    const customerStreamId = deps.ids.streamId();
    const agentStreamId = deps.ids.streamId();
    const outcome = await callGateway(deps, 'start', conversationId, () =>
      deps.gateway.start(gatewayUrl, conversationId, {
        sessionId,
        settings: command.settings,
        customerStreamId,
        agentStreamId,
        externalConversationId: command.externalConversationId,
        tenant: principal.tenant,
      }),
    );

    switch (outcome.kind) {
      case 'ok': {
        // Our ids, whatever the gateway echoed: every start gets fresh ones (docs/api-contract.md §2.3).
        const results = {
          customer: { ...outcome.results.customer, streamId: customerStreamId },
          agent: { ...outcome.results.agent, streamId: agentStreamId },
        };
        // With no participant streaming the gateway runs nothing, so the caller may simply start again.
        // The span runs whatever the table says now; a stop asks the gateway, so a lost record is harmless.
        if (anyParticipantOk(results)) {
          await bestEffort('record start', conversationId, async () => {
            const recorded = await deps.conversations.recordStart(conversationId, sessionId, {
              settings: command.settings,
              customerStreamId,
              agentStreamId,
            });
            if (!recorded) logger.warn('start not recorded: the session was replaced meanwhile', { conversationId });
          });
        }
        return startResponse(results);
      }
      case 'no-session':
        await bestEffort('mark session closed', conversationId, () => deps.conversations.markSessionClosed(conversationId, sessionId));
        throw new ApiError('400-203', 'the call has ended');
      case 'closing':
        throw new ApiError('409-203');
      case 'running':
        await bestEffort('record running', conversationId, () => deps.conversations.recordRunning(conversationId, sessionId));
        throw new ApiError('409-201', 'transcription is already running');
      case 'not-running':
        throw new ApiError('500-201', 'the gateway gave an answer that does not apply to start');
    }
  });
}
