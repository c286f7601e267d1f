import { parseWebhookConfig } from '#core/webhook/config.ts';
import type { Env } from '#core/webhook/config.ts';
import { createWebhookDelivery } from '#core/webhook/service.ts';
import type { WebhookDelivery } from '#core/webhook/service.ts';
import { memoryRecorder } from './servers.ts';

/** The production wiring from env settings, with outcomes captured in memory and no SQS calls. */
export function deliveryFromEnv(env: Env, now?: () => number) {
  const recorder = memoryRecorder();
  const delivery: WebhookDelivery = createWebhookDelivery(parseWebhookConfig(env), {
    recorder,
    setVisibility: null,
    ...(now ? { now } : {}),
  });
  return { delivery, recorder };
}
