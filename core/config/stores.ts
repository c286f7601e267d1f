import { z } from 'zod';

/** Configuration every writer and reader of the DynamoDB tables shares (gateway and Lambdas). */
export interface StoreConfig {
  conversationsTable: string;
  messagesTable: string;
  /** Days an utterance stays readable after `createdTimestamp` (docs/api-contract.md §4.2). */
  messageRetentionDays: number;
  /** Custom vocabularies; without it the vocabulary routes answer 503 and calls apply none. */
  vocabularyTable?: string;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const messageRetentionDays = z.coerce.number().positive().max(3650).default(7);
const schema = z.object({
  CONVERSATIONS_TABLE: z.string().min(1),
  MESSAGES_TABLE: z.string().min(1),
  MESSAGE_RETENTION_DAYS: messageRetentionDays,
  VOCABULARY_TABLE: z.string().min(1).optional(),
});

export function loadStoreConfig(env: NodeJS.ProcessEnv = process.env): StoreConfig {
  const parsed = schema.safeParse({
    CONVERSATIONS_TABLE: env.CONVERSATIONS_TABLE,
    MESSAGES_TABLE: env.MESSAGES_TABLE,
    MESSAGE_RETENTION_DAYS: emptyToUndefined(env.MESSAGE_RETENTION_DAYS),
    VOCABULARY_TABLE: emptyToUndefined(env.VOCABULARY_TABLE),
  });
  if (!parsed.success) throw new ConfigError(`invalid store configuration: ${issuePaths(parsed.error)}`);
  return {
    conversationsTable: parsed.data.CONVERSATIONS_TABLE,
    messagesTable: parsed.data.MESSAGES_TABLE,
    messageRetentionDays: parsed.data.MESSAGE_RETENTION_DAYS,
    ...(parsed.data.VOCABULARY_TABLE ? { vocabularyTable: parsed.data.VOCABULARY_TABLE } : {}),
  };
}

/** MESSAGE_RETENTION_DAYS alone, for a part that writes to `messages` without the rest (the webhook Lambda). */
export function loadMessageRetentionDays(env: Readonly<Record<string, string | undefined>>): number {
  const parsed = z.object({ MESSAGE_RETENTION_DAYS: messageRetentionDays }).safeParse({
    MESSAGE_RETENTION_DAYS: emptyToUndefined(env.MESSAGE_RETENTION_DAYS),
  });
  if (!parsed.success) throw new ConfigError(`invalid store configuration: ${issuePaths(parsed.error)}`);
  return parsed.data.MESSAGE_RETENTION_DAYS;
}

export function emptyToUndefined(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

/** Names the offending variables only: values may be secrets. */
/**
 * Each problem as `NAME: what is allowed`. Zod's messages state the expectation (type, range, allowed
 * options), never the value given, so a misplaced secret is not echoed.
 */
export function issuePaths(error: z.ZodError, name?: string): string {
  return [...new Set(error.issues.map((i) => `${[name, ...i.path.map(String)].filter(Boolean).join('.') || '(root)'}: ${i.message}`))].join(
    '; ',
  );
}
