import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  ResourceNotFoundException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { logger } from '#core/logger.ts';
import {
  conversationsTableDefinition,
  messagesTableDefinition,
  TTL_ATTRIBUTE,
  vocabularyTableDefinition,
  type TableNames,
} from '#core/stores/tables.ts';

/** Creates whichever of the tables is missing, waits until they are usable, and turns TTL on. */
export async function ensureTables(client: DynamoDBClient, names: TableNames, options: { timeoutMs?: number } = {}): Promise<void> {
  const definitions = [conversationsTableDefinition(names.conversations), messagesTableDefinition(names.messages)];
  if (names.vocabulary) definitions.push(vocabularyTableDefinition(names.vocabulary));
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
  await waitActive(client, tableName, deadline, timeoutMs);
  await addMissingIndexes(client, definition);
  await waitActive(client, tableName, deadline, timeoutMs);
  await enableTtl(client, tableName);
}

async function waitActive(client: DynamoDBClient, tableName: string, deadline: number, timeoutMs: number): Promise<void> {
  for (;;) {
    const { Table } = await describe(client, tableName);
    const indexesReady = (Table?.GlobalSecondaryIndexes ?? []).every(
      (index) => index.IndexStatus === undefined || index.IndexStatus === 'ACTIVE',
    );
    if (Table?.TableStatus === 'ACTIVE' && indexesReady) return;
    if (Date.now() > deadline) throw new Error(`table ${tableName} did not become ACTIVE within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A table kept from an older version (DATA_DIR, LocalStack) gains the indexes added since. */
async function addMissingIndexes(client: DynamoDBClient, definition: CreateTableCommandInput): Promise<void> {
  const { Table } = await describe(client, definition.TableName!);
  const existing = new Set((Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName));
  for (const index of definition.GlobalSecondaryIndexes ?? []) {
    if (existing.has(index.IndexName)) continue;
    logger.info('adding index to existing table', { tableName: definition.TableName, indexName: index.IndexName });
    const keyNames = new Set(index.KeySchema!.map((k) => k.AttributeName));
    try {
      await client.send(
        new UpdateTableCommand({
          TableName: definition.TableName,
          AttributeDefinitions: definition.AttributeDefinitions!.filter((a) => keyNames.has(a.AttributeName)),
          GlobalSecondaryIndexUpdates: [
            { Create: { IndexName: index.IndexName, KeySchema: index.KeySchema, Projection: index.Projection } },
          ],
        }),
      );
    } catch (error) {
      throw new Error(`${olderTable(definition.TableName!, index.IndexName!)} (${(error as Error).name})`, { cause: error });
    }
    await waitActive(client, definition.TableName!, Date.now() + 60_000, 60_000);
    const { Table: updated } = await describe(client, definition.TableName!);
    // dynalite (the embedded stand-in) accepts the update but never builds the index.
    if (!(updated?.GlobalSecondaryIndexes ?? []).some((i) => i.IndexName === index.IndexName)) {
      throw new Error(olderTable(definition.TableName!, index.IndexName!));
    }
  }
}

function olderTable(tableName: string, indexName: string): string {
  return `table ${tableName} was created by an older version and lacks the '${indexName}' index, which this DynamoDB could not add: delete the table (with DATA_DIR: that folder) and start again`;
}

function describe(client: DynamoDBClient, tableName: string) {
  return client.send(new DescribeTableCommand({ TableName: tableName }));
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
    await client.send(
      new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true } }),
    );
  } catch (error) {
    // dynalite has no UpdateTimeToLive; readers filter expired items anyway, so TTL is only housekeeping.
    logger.debug('TTL not enabled on table', { tableName, reason: (error as Error).name });
  }
}
