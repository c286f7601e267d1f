import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { dynamoDbDocumentClient } from '../aws/clients.ts';
import type { StoreConfig } from '../config/stores.ts';
import { createConversationsStore, type ConversationsStore } from './conversations.ts';
import { createMessagesStore, type MessagesStore } from './messages.ts';

/** Both stores on the shared DynamoDB client, as the gateway, the Lambdas and the local runtime wire them. */
export interface Stores {
  conversations: ConversationsStore;
  messages: MessagesStore;
}

export function createStores(config: StoreConfig, options: { client?: DynamoDBDocumentClient; now?: () => number } = {}): Stores {
  const client = options.client ?? dynamoDbDocumentClient();
  const common = { client, retentionDays: config.messageRetentionDays, now: options.now };
  return {
    conversations: createConversationsStore({ ...common, tableName: config.conversationsTable }),
    messages: createMessagesStore({ ...common, tableName: config.messagesTable }),
  };
}
