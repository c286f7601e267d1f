import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/**
 * The two tables exactly as the CDK stack declares them (docs/data-model.md). The local runtime and
 * the tests create them from these definitions (local/ensure-tables.ts), so what runs at home has the production key layout.
 */
export interface TableNames {
  conversations: string;
  messages: string;
  /** Custom vocabularies (optional: without it the feature is off). */
  vocabulary?: string;
}

/** TTL attribute of both tables, epoch seconds. */
export const TTL_ATTRIBUTE = 'expiresAt';
export const BY_HOUR_INDEX = 'byHour';
/** Sparse index of the conversations whose AudioHook session a gateway task holds (console). */
export const LIVE_INDEX = 'live';
export const LIVE_SHARDS = 8;

const CONVERSATIONS_KEY = { partitionKey: 'conversationId' } as const;
const MESSAGES_KEY = { partitionKey: 'conversationId', sortKey: 'messageId' } as const;
const BY_HOUR_KEY = { partitionKey: 'hourShard', sortKey: 'messageId' } as const;
export const LIVE_KEY = { partitionKey: 'liveShard', sortKey: 'conversationId' } as const;
/** What the `live` index carries besides its keys: the console's view of a call. */
export const LIVE_PROJECTED = ['sessionId', 'sessionState', 'transcription', 'customerStreamId', 'agentStreamId', 'live'] as const;
const VOCABULARY_KEY = { partitionKey: 'tenant', sortKey: 'id' } as const;

export function conversationsTableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: CONVERSATIONS_KEY.partitionKey, AttributeType: 'S' },
      { AttributeName: LIVE_KEY.partitionKey, AttributeType: 'S' },
    ],
    KeySchema: [{ AttributeName: CONVERSATIONS_KEY.partitionKey, KeyType: 'HASH' }],
    GlobalSecondaryIndexes: [
      {
        IndexName: LIVE_INDEX,
        KeySchema: [
          { AttributeName: LIVE_KEY.partitionKey, KeyType: 'HASH' },
          { AttributeName: LIVE_KEY.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...LIVE_PROJECTED] },
      },
    ],
  };
}

export function messagesTableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: MESSAGES_KEY.partitionKey, AttributeType: 'S' },
      { AttributeName: MESSAGES_KEY.sortKey, AttributeType: 'S' },
      { AttributeName: BY_HOUR_KEY.partitionKey, AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: MESSAGES_KEY.partitionKey, KeyType: 'HASH' },
      { AttributeName: MESSAGES_KEY.sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: BY_HOUR_INDEX,
        KeySchema: [
          { AttributeName: BY_HOUR_KEY.partitionKey, KeyType: 'HASH' },
          { AttributeName: BY_HOUR_KEY.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
  };
}

export function vocabularyTableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: VOCABULARY_KEY.partitionKey, AttributeType: 'S' },
      { AttributeName: VOCABULARY_KEY.sortKey, AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: VOCABULARY_KEY.partitionKey, KeyType: 'HASH' },
      { AttributeName: VOCABULARY_KEY.sortKey, KeyType: 'RANGE' },
    ],
  };
}
