import { z } from 'zod';
import { SUPPORTED_LANGUAGES } from '../domain/transcription.ts';

/**
 * The gateway's private control endpoint (docs/data-model.md, "Gateway control endpoint"): paths and
 * JSON bodies as schemas, so the control client and the gateway's server parse the same contract.
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

const streamStatusSchema = z.object({ code: z.number().int(), description: z.string() });

const counter = z.number().int().nonnegative();
const streamSummarySchema = z.object({
  totalAudioBytes: counter,
  audioDurationMs: counter,
  streamingSeconds: counter,
  transcripts: counter,
});

const startedStreamSchema = z.object({
  streamId: z.string().min(1),
  status: streamStatusSchema,
  /** Optional detail for a failing participant, used for the public `errorMessage` (e.g. "channel not present"). */
  message: z.string().optional(),
});
const stoppedStreamSchema = startedStreamSchema.extend({ summary: streamSummarySchema });

export const controlStartResponseSchema = z.object({ customer: startedStreamSchema, agent: startedStreamSchema });
export const controlStopResponseSchema = z.object({ customer: stoppedStreamSchema, agent: stoppedStreamSchema });
export type StartedStream = z.infer<typeof startedStreamSchema>;
export type StoppedStream = z.infer<typeof stoppedStreamSchema>;
export type StartResults = z.infer<typeof controlStartResponseSchema>;
/** Per-participant results of a stop; also what `pendingSummary` holds for a span that ended with the call. */
export type StopResults = z.infer<typeof controlStopResponseSchema>;

const CONTROL_ERRORS = ['no-session', 'closing', 'running', 'not-running'] as const;
export type ControlErrorKind = (typeof CONTROL_ERRORS)[number];
export const controlErrorSchema = z.object({ error: z.enum(CONTROL_ERRORS) });
