/**
 * The AudioHook secret in Secrets Manager (stack output AudioHookSecretArn): its JSON fields and the
 * gateway variable each one is injected into (ECS task secrets by JSON key). `npm run credentials`
 * writes exactly these fields; the stack's task definition maps them; the gateway reads the variables.
 * Every field is always present (ECS refuses to start a task whose secret lacks a named key).
 */
export const AUDIOHOOK_SECRET_FIELDS = {
  /** The newest pair: what the Genesys integration should hold. */
  AUDIOHOOK_API_KEY: 'apiKey',
  AUDIOHOOK_CLIENT_SECRET: 'clientSecret',
  /** Every other pair still valid (rotated, not yet revoked), as `key:secret,key:secret`; '' when none. */
  AUDIOHOOK_API_KEYS: 'apiKeys',
} as const;
