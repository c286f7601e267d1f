import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * The one place AWS clients are built. Region, credentials and endpoints come from the SDK's own
 * resolution (AWS_REGION, AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>, …), so the same code talks to
 * AWS, LocalStack or an in-process emulator with no test-only switches. Clients are created on first
 * use, which lets a test set the environment before anything connects.
 */
export function awsClientConfig() {
  return {
    maxAttempts: 3,
    // Bounded so a dead endpoint turns into an error well inside API Gateway's 29 s integration limit.
    requestHandler: { connectionTimeout: 2_000, requestTimeout: 5_000, throwOnRequestTimeout: true },
  };
}

let dynamoDb: DynamoDBClient | undefined;
let documentClient: DynamoDBDocumentClient | undefined;
let secretsManager: SecretsManagerClient | undefined;

export function dynamoDbClient(): DynamoDBClient {
  dynamoDb ??= new DynamoDBClient(awsClientConfig());
  return dynamoDb;
}

export function dynamoDbDocumentClient(): DynamoDBDocumentClient {
  documentClient ??= createDocumentClient(dynamoDbClient());
  return documentClient;
}

export function createDocumentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, {
    // Optional fields of our records are simply absent rather than stored as NULL.
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    unmarshallOptions: { wrapNumbers: false },
  });
}

export function secretsManagerClient(): SecretsManagerClient {
  secretsManager ??= new SecretsManagerClient(awsClientConfig());
  return secretsManager;
}
