/**
 * Tenant redaction policy (docs/api-contract.md, "Redaction"): `default` lets each start-streaming
 * request choose its output, `always` refuses unredacted output, `off` means no rules are configured so
 * redacted output cannot be produced. The stack's `redactionMode` context value, the API's and the
 * gateway's `REDACTION_MODE` / `TENANT_REDACTION_MODES` all accept exactly these.
 */
export const REDACTION_MODES = ['default', 'always', 'off'] as const;
export type RedactionMode = (typeof REDACTION_MODES)[number];

export const DEFAULT_REDACTION_MODE: RedactionMode = 'default';
