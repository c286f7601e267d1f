import { z } from 'zod';
import { SUPPORTED_LANGUAGES } from '../domain/transcription.ts';

/**
 * The gateway's private control endpoint (docs/data-model.md, "Gateway control endpoint"): paths and
 * JSON bodies as schemas, so the control client and the gateway's server parse the same contract. A
 * start or stop answers with the domain's per-participant results (core/domain/participant-result.ts).
 */
export function controlPath(conversationId: string, action: 'start' | 'stop'): string {
  return `/control/v1/conversations/${encodeURIComponent(conversationId)}/${action}`;
}

const transcriptionSettingsSchema = z.object({
  language: z.enum(SUPPORTED_LANGUAGES).optional(),
  detailedToken: z.boolean(),
  redactionOutput: z.enum(['redacted', 'unredacted', 'redacted_and_unredacted']),
  audioRecordingAllowed: z.boolean(),
  customerId: z.string(),
  agentId: z.string(),
});

export const controlStartRequestSchema = z.object({
  sessionId: z.string().min(1),
  settings: transcriptionSettingsSchema,
  customerStreamId: z.string().min(1),
  agentStreamId: z.string().min(1),
  externalConversationId: z.string().min(1),
  /** Tenant of the credentials that started the span: the `tenant` (company_marker) of its utterances. */
  tenant: z.string().min(1),
});
export type ControlStartRequest = z.infer<typeof controlStartRequestSchema>;

export const controlStopRequestSchema = z.object({ sessionId: z.string().min(1) });
export type ControlStopRequest = z.infer<typeof controlStopRequestSchema>;

const CONTROL_ERRORS = ['no-session', 'closing', 'running', 'not-running'] as const;
export type ControlErrorKind = (typeof CONTROL_ERRORS)[number];
export const controlErrorSchema = z.object({ error: z.enum(CONTROL_ERRORS) });
