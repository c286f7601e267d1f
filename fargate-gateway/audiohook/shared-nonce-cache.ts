import { createHash } from 'node:crypto';
import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AppLogger } from '#core/logger.ts';
import { TTL_ATTRIBUTE } from '#core/stores/tables.ts';
import { isConditionalCheckFailure } from '#core/stores/update-expression.ts';
import { NonceCache, type ReplayCache } from './nonce-cache.ts';

/**
 * Replay protection shared by every gateway task (AudioHook §4.4): a signed upgrade replayed to
 * another task — the load balancer spreads connections, and tasks may be reachable directly — is
 * refused there too. Each nonce is claimed with one conditional put on the `conversations` table,
 * under a key no conversation id can take (`nonce#` and a hash: the table holds no key or nonce), and
 * expires with the table's TTL. TTL deletion is lazy, so an entry past its time counts as free.
 *
 * This task's own cache answers first (a replay to the same task costs no request). When the table
 * cannot be reached the upgrade is not refused: the signature has verified and this task's cache still
 * holds, so a table outage costs cross-task replay protection for a few seconds, not every call.
 */
export interface SharedNonceCacheOptions {
  client: DynamoDBDocumentClient;
  /** The conversations table (CONVERSATIONS_TABLE). */
  tableName: string;
  logger: AppLogger;
}

const KEY_ATTRIBUTE = 'conversationId';
const KEY_PREFIX = 'nonce#';

export class SharedNonceCache implements ReplayCache {
  readonly #local = new NonceCache();

  constructor(private readonly options: SharedNonceCacheOptions) {}

  async checkAndRemember(nonce: string, until: number, now: number): Promise<boolean> {
    if (!this.#local.checkAndRemember(nonce, until, now)) return false;
    try {
      await this.options.client.send(
        new PutCommand({
          TableName: this.options.tableName,
          Item: { [KEY_ATTRIBUTE]: KEY_PREFIX + createHash('sha256').update(nonce).digest('hex'), [TTL_ATTRIBUTE]: Math.ceil(until) },
          ConditionExpression: 'attribute_not_exists(#key) OR #expires < :now',
          ExpressionAttributeNames: { '#key': KEY_ATTRIBUTE, '#expires': TTL_ATTRIBUTE },
          ExpressionAttributeValues: { ':now': Math.floor(now) },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailure(error)) return false;
      this.options.logger.error('shared nonce cache unreachable; replay checked on this task only', { error: (error as Error).name });
      return true;
    }
  }
}
