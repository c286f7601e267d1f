import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { logger } from '../logger.ts';

/**
 * The two tables exactly as the CDK stack declares them (docs/data-model.md). The local runtime and
 * the tests create them from these definitions, so what runs at home has the production key layout.
 */
export interface TableNames {
  conversations: string;
  messages: string;
}

/** TTL attribute of both tables, epoch seconds. */
export const TTL_ATTRIBUTE = 'expiresAt';
export const BY_HOUR_INDEX = 'byHour';

export const CONVERSATIONS_KEY = { partitionKey: 'conversationId' } as const;
export const MESSAGES_KEY = { partitionKey: 'conversationId', sortKey: 'messageId' } as const;
export const BY_HOUR_KEY = { partitionKey: 'hourShard', sortKey: 'messageId' } as const;

export function conversationsTableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: CONVERSATIONS_KEY.partitionKey, AttributeType: 'S' }],
    KeySchema: [{ AttributeName: CONVERSATIONS_KEY.partitionKey, KeyType: 'HASH' }],
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

/** Creates whichever of the tables is missing, waits until they are usable, and turns TTL on. */
export async function ensureTables(client: DynamoDBClient, names: TableNames, options: { timeoutMs?: number } = {}): Promise<void> {
  const definitions = [conversationsTableDefinition(names.conversations), messagesTableDefinition(names.messages)];
  await Promise.all(definitions.map((d) => ensureTable(client, d, options.timeoutMs ?? 60_000)));
}

async function ensureTable(client: DynamoDBClient, definition: CreateTableCommandInput, timeoutMs: number): Promise<void> {
  const tableName = definition.TableName!;
  if (!(await tableStatus(client, tableName))) {
    try {
      await client.send(new CreateTableCommand(definition));
    } catch (error) {
      // Another process may have created it between the describe and the create.
      if ((error as Error).name !== 'ResourceInUseException') throw error;
    }
  }
  const deadline = Date.now() + timeoutMs;
  while ((await tableStatus(client, tableName)) !== 'ACTIVE') {
    if (Date.now() > deadline) throw new Error(`table ${tableName} did not become ACTIVE within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await enableTtl(client, tableName);
}

async function tableStatus(client: DynamoDBClient, tableName: string): Promise<string | undefined> {
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    return Table?.TableStatus;
  } catch (error) {
    if (error instanceof ResourceNotFoundException || (error as Error).name === 'ResourceNotFoundException') return undefined;
    throw error;
  }
}

async function enableTtl(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    const { TimeToLiveDescription } = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
    const status = TimeToLiveDescription?.TimeToLiveStatus;
    if (status === 'ENABLED' || status === 'ENABLING') return;
    await client.send(new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true } }));
  } catch (error) {
    // dynalite has no UpdateTimeToLive; readers filter expired items anyway, so TTL is only housekeeping.
    logger.debug('TTL not enabled on table', { tableName, reason: (error as Error).name });
  }
}
