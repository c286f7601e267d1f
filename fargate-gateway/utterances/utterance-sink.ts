import type { Utterance } from '#core/domain/utterance.ts';

/**
 * Where final utterances go: stored in `messages`, then queued for the webhook (see core/). `record`
 * resolves once the utterance is durable; a rejection means it could not be stored and was logged.
 */
export interface UtteranceSink {
  record(utterance: Utterance): Promise<void>;
}
