import { randomUUID } from 'node:crypto';
import type { ConversationsStore } from '../stores/conversations.ts';
import type { MessagesStore } from '../stores/messages.ts';
import type { VocabularyStore } from '../stores/vocabulary.ts';
import type { CustomVocabularyItem } from '../vocabulary/custom-vocabulary.ts';
import type { EngineVocabularyStatus } from '../vocabulary/transcribe-sync.ts';
import type { GatewayControlClient } from './gateway-control-client.ts';

/** Sources of fresh identifiers, injectable so tests can predict them. */
export interface Ids {
  /** A participant's stream id: random version-4 UUID, lower case (docs/api-contract.md §2.3, §8 #1). */
  streamId(): string;
  /** Identifies one request's hold on a conversation lock. */
  lockOwner(): string;
}

export const randomIds: Ids = { streamId: () => randomUUID(), lockOwner: () => randomUUID() };

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** What start-streaming and stop-streaming need. */
export interface ControlDeps {
  conversations: ConversationsStore;
  gateway: GatewayControlClient;
  clock: Clock;
  ids: Ids;
}

/** What the after-call GET needs. */
export interface MessagesDeps {
  messages: MessagesStore;
}

/** What the custom-vocabulary routes need (absent store: the feature is not configured). */
export interface VocabularyDeps {
  vocabulary?: VocabularyStore;
  /** Brings the tenant's Amazon Transcribe custom vocabularies in line (TRANSCRIBE_VOCABULARIES); absent: no engine copy. */
  engineSync?: (tenant: string, entries: readonly CustomVocabularyItem[]) => Promise<EngineVocabularyStatus[]>;
}
