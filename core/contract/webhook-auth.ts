/**
 * How the webhook delivery authenticates to the customer's target (docs/api-contract.md, "Webhook"):
 * a custom CA may accompany any mode; mTLS, a secret token and OAuth2 exclude each other. The stack's
 * `webhookAuthMode` context value and the delivery function's `WEBHOOK_AUTH_MODE` are parsed by
 * `parseWebhookAuthModes`, so both accept exactly the same values.
 */
export const WEBHOOK_AUTH_MODES = ['none', 'custom-ca', 'mtls', 'secret-token', 'oauth2'] as const;
export type WebhookAuthMode = (typeof WEBHOOK_AUTH_MODES)[number];

/** The allowed combinations, each written in WEBHOOK_AUTH_MODES order joined by `+`. */
const WEBHOOK_AUTH_COMBINATIONS: readonly string[] = [
  ['none'],
  ['custom-ca'],
  ['mtls'],
  ['custom-ca', 'mtls'],
  ['secret-token'],
  ['custom-ca', 'secret-token'],
  ['oauth2'],
  ['custom-ca', 'oauth2'],
].map((c) => c.join('+'));

export interface ParsedWebhookAuthModes {
  modes: Set<WebhookAuthMode>;
  /** Empty when the value is valid; messages never echo more than the offending mode name. */
  problems: string[];
}

/**
 * Modes separated by `+`, `,` or white space, in any letter case; empty or absent means `none`.
 * `name` is the setting the problems are reported under (`WEBHOOK_AUTH_MODE`, `webhookAuthMode`).
 */
export function parseWebhookAuthModes(raw: string | undefined, name: string): ParsedWebhookAuthModes {
  const problems: string[] = [];
  const modes = new Set<WebhookAuthMode>();
  const parts = (raw ?? '')
    .split(/[+,\s]+/)
    .map((p) => p.trim().toLowerCase())
    .filter(Boolean);
  for (const part of parts) {
    const mode = WEBHOOK_AUTH_MODES.find((m) => m === part);
    if (mode) modes.add(mode);
    else problems.push(`${name}: unknown mode ${JSON.stringify(part.slice(0, 40))} (expected ${WEBHOOK_AUTH_MODES.join(', ')})`);
  }
  if (modes.size === 0) modes.add('none');
  const key = WEBHOOK_AUTH_MODES.filter((m) => modes.has(m)).join('+');
  if (!WEBHOOK_AUTH_COMBINATIONS.includes(key)) {
    problems.push(`${name}: ${key} is not an allowed combination (allowed: ${WEBHOOK_AUTH_COMBINATIONS.join(', ')})`);
  }
  return { modes, problems };
}
