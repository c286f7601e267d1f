import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { dynamoDbDocumentClient } from '../aws/clients.ts';
import type { StoreConfig } from '../config/stores.ts';
import { createConversationsStore, type ConversationsStore } from './conversations.ts';
import { createLiveCallsStore, type LiveCallsStore } from './live-calls.ts';
import { createMessagesStore, type MessagesStore } from './messages.ts';
import { createVocabularyStore, type VocabularyStore } from './vocabulary.ts';

/** The stores on the shared DynamoDB client, as the gateway, the Lambdas and the local runtime wire them. */
export interface Stores {
  conversations: ConversationsStore;
  messages: MessagesStore;
  /** The console's live views, on the conversations table. */
  live: LiveCallsStore;
  /** Absent when no VOCABULARY_TABLE is configured. */
  vocabulary?: VocabularyStore;
}

export function createStores(config: StoreConfig, options: { client?: DynamoDBDocumentClient; now?: () => number } = {}): Stores {
  const client = options.client ?? dynamoDbDocumentClient();
  const common = { client, retentionDays: config.messageRetentionDays, now: options.now };
  return {
    conversations: createConversationsStore({ ...common, tableName: config.conversationsTable }),
    messages: createMessagesStore({ ...common, tableName: config.messagesTable }),
    live: createLiveCallsStore({ client, tableName: config.conversationsTable, now: options.now }),
    ...(config.vocabularyTable
      ? { vocabulary: createVocabularyStore({ client, tableName: config.vocabularyTable, now: options.now }) }
      : {}),
  };
}
