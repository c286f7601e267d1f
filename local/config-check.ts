import { z } from 'zod';
import { loadApiConfig } from '#core/config/api.ts';
import { loadConsoleAuthConfig } from '#core/console/auth.ts';
import { ConfigError, issuePaths, loadStoreConfig } from '#core/config/stores.ts';
import { loadFeedConfig } from '#core/daily-export/config.ts';
import { loadWebhookConfig } from '#core/webhook/config.ts';
import { secretsManagerReader } from '#core/webhook/secrets.ts';
import { loadGatewayConfig } from '#gateway/config.ts';
import { DEFAULT_WEBHOOK_MAX_CONCURRENT_BATCHES, WEBHOOK_MAX_CONCURRENT_BATCHES_RANGE as BATCHES } from '#core/contract/webhook-batches.ts';

/**
 * Every setting of every part `npm start` runs (gateway, API, stores, feed export, webhook delivery,
 * the local listeners), checked before anything starts: a bad value stops the start with one message
 * naming each variable at fault and what it allows, instead of a system that runs and fails later.
 */

const port = z.coerce
  .number({ error: 'must be a port number' })
  .int('must be a whole number')
  .min(0, 'must be 0–65535')
  .max(65_535, 'must be 0–65535');
const BATCHES_RULE = `must be a whole number ${BATCHES.min}–${BATCHES.max}`;
const localSchema = z.object({
  API_PORT: port.default(3000),
  WEBHOOK_RECEIVER_PORT: port.default(3001),
  LOCAL_HOST: z.string().min(1, 'must be an address such as 127.0.0.1').default('127.0.0.1'),
  // The local stand-in for the stack's webhookMaxConcurrentBatches: the queue poller's loops.
  WEBHOOK_MAX_CONCURRENT_BATCHES: z.coerce
    .number({ error: BATCHES_RULE })
    .int(BATCHES_RULE)
    .min(BATCHES.min, BATCHES_RULE)
    .max(BATCHES.max, BATCHES_RULE)
    .default(DEFAULT_WEBHOOK_MAX_CONCURRENT_BATCHES),
});

export type LocalListeners = z.infer<typeof localSchema>;

/** The local listeners' settings; throws a ConfigError naming every variable at fault in any part. */
export async function checkLocalConfig(env: NodeJS.ProcessEnv): Promise<LocalListeners> {
  const problems: string[] = [];
  const attempt = (check: () => unknown) => {
    try {
      check();
    } catch (error) {
      problems.push(error instanceof Error ? error.message : String(error));
    }
  };
  const local = localSchema.safeParse({
    API_PORT: blankToUndefined(env.API_PORT),
    WEBHOOK_RECEIVER_PORT: blankToUndefined(env.WEBHOOK_RECEIVER_PORT),
    LOCAL_HOST: blankToUndefined(env.LOCAL_HOST),
    WEBHOOK_MAX_CONCURRENT_BATCHES: blankToUndefined(env.WEBHOOK_MAX_CONCURRENT_BATCHES),
  });
  if (!local.success) problems.push(`invalid local configuration: ${issuePaths(local.error)}`);
  attempt(() => loadGatewayConfig(env));
  attempt(() => loadApiConfig(env));
  attempt(() => loadStoreConfig(env));
  attempt(() => loadFeedConfig(env));
  attempt(() => loadConsoleAuthConfig(env));
  if (env.WEBHOOK_URL) {
    try {
      // With WEBHOOK_SECRET_ARN (LocalStack, or the stack's secret) the material is read as the function reads it.
      await loadWebhookConfig(env, env.WEBHOOK_SECRET_ARN ? secretsManagerReader() : undefined);
    } catch (error) {
      problems.push(error instanceof Error ? error.message : String(error));
    }
  } else if (env.WEBHOOK_AUTH_MODE && env.WEBHOOK_AUTH_MODE.trim().toLowerCase() !== 'none') {
    problems.push('WEBHOOK_AUTH_MODE needs WEBHOOK_URL: the built-in receiver used without one takes only none');
  }
  if (problems.length > 0 || !local.success) throw new ConfigError(problems.join('\n'));
  return local.data;
}

function blankToUndefined(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}
