import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { LIVE_INDEX, LIVE_KEY, LIVE_PROJECTED } from '#core/stores/tables.ts';

/** Names shared with `core/stores/tables.ts` (test/infra checks they agree). */
const TTL_ATTRIBUTE = 'expiresAt';
const BY_HOUR_INDEX = 'byHour';

export interface StorageProps {
  removalPolicy: RemovalPolicy;
}

/**
 * The DynamoDB tables of docs/data-model.md (and the custom vocabularies): on demand, point-in-time recovery, encrypted with the
 * AWS managed key, TTL on `expiresAt`, and the `byHour` index the daily export reads.
 */
export class Storage extends Construct {
  readonly conversations: dynamodb.Table;
  readonly messages: dynamodb.Table;
  /** Custom vocabularies: partition `tenant`, sort `id` (core/stores/tables.ts). */
  readonly vocabulary: dynamodb.Table;

  constructor(scope: Construct, id: string, props: StorageProps) {
    super(scope, id);
    const common = {
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      timeToLiveAttribute: TTL_ATTRIBUTE,
      removalPolicy: props.removalPolicy,
    } satisfies Partial<dynamodb.TableProps>;

    this.conversations = new dynamodb.Table(this, 'Conversations', {
      ...common,
      partitionKey: { name: 'conversationId', type: dynamodb.AttributeType.STRING },
    });
    // Sparse: only items of sessions a gateway task publishes as live (console).
    this.conversations.addGlobalSecondaryIndex({
      indexName: LIVE_INDEX,
      partitionKey: { name: LIVE_KEY.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: LIVE_KEY.sortKey, type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.INCLUDE,
      nonKeyAttributes: [...LIVE_PROJECTED],
    });

    this.messages = new dynamodb.Table(this, 'Messages', {
      ...common,
      partitionKey: { name: 'conversationId', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'messageId', type: dynamodb.AttributeType.STRING },
    });
    this.vocabulary = new dynamodb.Table(this, 'CustomVocabularies', {
      ...common,
      partitionKey: { name: 'tenant', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'id', type: dynamodb.AttributeType.STRING },
    });
    this.messages.addGlobalSecondaryIndex({
      indexName: BY_HOUR_INDEX,
      partitionKey: { name: 'hourShard', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'messageId', type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.ALL,
    });
  }

  /** ARN of the `byHour` index (for a Query grant scoped to it). */
  get byHourIndexArn(): string {
    return `${this.messages.tableArn}/index/${BY_HOUR_INDEX}`;
  }
}
