import { z } from 'zod';
import { controlSecretSchema } from '#core/config/api.ts';
import { ConfigError } from '#core/config/stores.ts';
import { SUPPORTED_LANGUAGES } from '#core/domain/transcription.ts';
import { LIVE_PUBLISH_INTERVAL_MS } from '#core/domain/live-call.ts';
import { AUDIOHOOK_PATH, CONTROL_PORT, GATEWAY_PORT } from '#core/contract/gateway-endpoints.ts';
import { tenantRedactionRulesSchema } from '#core/redaction/custom-rules.ts';

/**
 * Gateway configuration from the environment, validated once at start. A bad value stops the process
 * with a message naming the variable, never a stack trace.
 */

const port = (fallback: number) => z.coerce.number().int().min(0).max(65_535).default(fallback);
const millis = (fallback: number) => z.coerce.number().int().min(1).max(3_600_000).default(fallback);
const flag = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .default(fallback ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');

const schema = z.object({
  GATEWAY_PORT: port(GATEWAY_PORT),
  /** Loopback by default: the container (and anyone exposing a gateway on purpose) sets 0.0.0.0. */
  GATEWAY_HOST: z.string().min(1).default('127.0.0.1'),
  AUDIOHOOK_PATH: z
    .string()
    .regex(/^\/[^\s?#]*$/, 'must be a path starting with "/"')
    .default(AUDIOHOOK_PATH),
  /** How failed authentication is answered (docs/audiohook-protocol.md §4.5). */
  AUTH_REJECTION: z.enum(['disconnect', 'http401']).default('disconnect'),
  /** Every authentication failure is answered no sooner than this (timing-safe rejection). */
  AUTH_FAILURE_FLOOR_MS: z.coerce.number().int().min(0).max(10_000).default(500),
  /**
   * Where used signature nonces are remembered: `shared` (the conversations table, so a replay to any
   * task is refused; needs CONVERSATIONS_TABLE) or `task` (this process only). Default: shared when the table is set.
   */
  REPLAY_CACHE: z.enum(['shared', 'task']).optional(),
  /** Verify the signature against X-Forwarded-Host / X-Forwarded-Uri set by a trusted proxy. */
  TRUST_FORWARDED_HEADERS: flag(false),
  MAX_SESSIONS: z.coerce.number().int().min(1).max(100_000).default(5_000),
  IDLE_TIMEOUT_MS: millis(30_000),
  FLUSH_BUDGET_MS: millis(5_000),
  DRAIN_DEADLINE_MS: millis(30_000),
  /** On ECS: how often the task asks the ECS API whether it is superseded or surplus (ecs/retirement.ts). */
  RETIREMENT_CHECK_MS: millis(15_000),
  CONTROL_PORT: port(CONTROL_PORT),
  CONTROL_HOST: z.string().min(1).default('127.0.0.1'),
  /** Shared with the start/stop Lambdas: every control request must be signed with it (required in production). */
  CONTROL_SECRET: z.preprocess((v) => (v === '' ? undefined : v), controlSecretSchema.optional()),
  /** Base URL other components use to reach this task's control endpoint (defaults from host/port). */
  CONTROL_ADVERTISED_URL: z.string().url().optional(),
  RECOGNIZER: z.enum(['embedded', 'transcribe', 'none']).default('embedded'),
  TENANT: z.string().min(1).max(128).default('default'),
  /** Send Transcription Connector `event`s with transcripts (a session may also ask via customConfig). */
  TRANSCRIPT_EVENTS: flag(false),
  /**
   * `monitor` (default): transcription between start-streaming and stop-streaming. `connector`: every
   * session is a Genesys Transcription Connector session. An integration may choose with customConfig.mode.
   */
  AUDIOHOOK_MODE: z.enum(['monitor', 'connector']).default('monitor'),
  /** Language of a connector session whose `open` names none. */
  DEFAULT_LANGUAGE: z.enum(SUPPORTED_LANGUAGES).default('en-US'),
  /**
   * With RECOGNIZER=transcribe and VOCABULARY_TABLE: streams name the tenant's Amazon Transcribe custom
   * vocabulary once it is READY (the custom-vocabularies API creates it when TRANSCRIBE_VOCABULARIES is on there).
   */
  TRANSCRIBE_VOCABULARIES: flag(false),
  /**
   * `allowed` (default): a start with `audioRecordingAllowed: true` is recorded to RECORDINGS_BUCKET.
   * `forbidden`: nothing is ever recorded, whatever a start asks (the deployment-wide privacy switch).
   */
  CALL_RECORDING: z.enum(['allowed', 'forbidden']).default('allowed'),
  /** Where recordings go; without it nothing is recorded. */
  RECORDINGS_BUCKET: z.string().min(3).max(63).optional(),
  /**
   * Per-tenant redaction on top of the contract's rules: `{"<tenant>"|"*": {"digitRuns": N, "patterns": ["RE2", …]}}`
   * (core/redaction/custom-rules.ts; `*` for every tenant without its own entry).
   */
  TENANT_REDACTION_RULES: tenantRedactionRulesSchema,
  /** How often the console's view of each live session is refreshed in the conversations table. */
  LIVE_PUBLISH_INTERVAL_MS: z.coerce.number().int().min(250).max(60_000).default(LIVE_PUBLISH_INTERVAL_MS),
  /** `emf`: CloudWatch metrics as embedded-metric-format lines on stdout (the stack sets it); default off. */
  GATEWAY_METRICS: z.enum(['emf', 'off']).default('off'),
  /** How often the metrics line is written (counts accumulate in between). */
  METRICS_INTERVAL_MS: z.coerce.number().int().min(1_000).max(300_000).default(60_000),
});

export type GatewayConfig = z.infer<typeof schema>;

export function loadGatewayConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const parsed = schema.safeParse(env);
  const problems = parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  if (parsed.success && env.NODE_ENV === 'production' && parsed.data.CONTROL_SECRET === undefined) {
    problems.push('CONTROL_SECRET: required in production (the secret the start/stop Lambdas sign control requests with)');
  }
  if (parsed.success && parsed.data.REPLAY_CACHE === 'shared' && !env.CONVERSATIONS_TABLE) {
    problems.push('REPLAY_CACHE: "shared" needs CONVERSATIONS_TABLE (the table the nonces are kept in); use "task" without it');
  }
  if (!parsed.success || problems.length > 0) throw new ConfigError(`invalid gateway configuration:\n  ${problems.join('\n  ')}`);
  return parsed.data;
}
