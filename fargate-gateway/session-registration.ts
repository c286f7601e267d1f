import type { AppLogger } from '#core/logger.ts';
import type { ConversationsStore } from '#core/stores/conversations.ts';
import type { Call, CallEvents } from './call.ts';

/**
 * Keeps the `conversations` table (the session registry the start/stop Lambdas read) in step with
 * the calls this task holds. Writes happen after `opened` has gone out, never before: Genesys gives
 * the open transaction 5 s, so a start sent the moment `opened` arrives can overtake the
 * registration: start-streaming waits a bounded time for it (REGISTRATION_WAIT_MS).
 */
export function sessionRegistration(options: {
  conversations: ConversationsStore;
  gatewayUrl: string;
  logger: AppLogger;
  /** Told when a session could not be registered (the gateway's RegistrationFailures metric). */
  onFailure?: () => void;
}): CallEvents {
  const { conversations, gatewayUrl, logger } = options;
  const ids = (call: Call) => ({ conversationId: call.conversationId, sessionId: call.session.sessionId });
  return {
    opened(call) {
      const openedAt = new Date(call.session.openedAt ?? Date.now()).toISOString();
      conversations.registerSession({ ...ids(call), gatewayUrl, openedAt }).catch((error: unknown) => {
        logger.error('session registration failed; start-streaming cannot find this call', { error, ...ids(call) });
        options.onFailure?.();
      });
    },
    closing(call) {
      conversations.markSessionClosing(call.conversationId, call.session.sessionId).catch((error: unknown) => {
        logger.error('marking the session closing failed', { error, ...ids(call) });
      });
    },
    async ended(call, report) {
      // Awaited: the call stays findable (answering "closing") until its final summary is stored.
      await conversations.markSessionClosed(call.conversationId, call.session.sessionId, report);
    },
  };
}
