import type { Utterance } from '#core/domain/utterance.ts';
import type { AppLogger } from '#core/logger.ts';
import type { UtterancePublisher } from '#core/queue/utterance-publisher.ts';
import type { MessagesStore } from '#core/stores/messages.ts';
import { MessageWriter } from './message-writer.ts';
import type { UtteranceSink } from './utterance-sink.ts';

/**
 * The full system's utterance sink: store in `messages` (for the after-call GET and the daily feed;
 * batched by the message writer, which retries what was not stored), then queue the webhook body. The
 * webhook is the real-time product, so it is queued even when the store finally fails; the failure is
 * logged with the message id.
 */
export function recordingSink(options: {
  messages: Pick<MessagesStore, 'putUtterances'>;
  publisher?: UtterancePublisher;
  logger: AppLogger;
}): UtteranceSink {
  const writer = new MessageWriter({ messages: options.messages, logger: options.logger });
  return {
    async record(utterance: Utterance): Promise<void> {
      try {
        await writer.store(utterance);
      } finally {
        options.publisher?.publish(utterance);
      }
      options.logger.debug('utterance recorded', {
        conversationId: utterance.conversationId,
        messageId: utterance.messageId,
        role: utterance.role,
        startMs: utterance.startMs,
        endMs: utterance.endMs,
      });
    },
  };
}
