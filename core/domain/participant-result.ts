import { z } from 'zod';
import { STREAM_STATUS_DESCRIPTIONS, type StreamStatusCode } from '#core/contract/status-codes.ts';

/**
 * What a start or a stop reports for each participant (docs/api-contract.md, start-streaming and
 * stop-streaming), defined once: the gateway's span and call produce it, the control endpoint sends it
 * (and the API parses it with these schemas), the conversations store keeps an unreported stop's copy,
 * and the public responses are shaped from it.
 */

export const streamStatusSchema = z
  .object({
    code: z.number().int().meta({ description: 'Per-participant status code (docs/api-contract.md, "Status codes"): 1000 is OK.' }),
    description: z.string(),
  })
  .meta({ id: 'StreamStatus' });
export type StreamStatus = z.infer<typeof streamStatusSchema>;

const counter = z.number().int().nonnegative();
export const streamSummarySchema = z
  .object({
    totalAudioBytes: counter,
    audioDurationMs: counter,
    streamingSeconds: counter,
    transcripts: counter,
  })
  .meta({ id: 'StreamSummary' });
/** Per-participant counters of one start→stop span. */
export type StreamSummary = z.infer<typeof streamSummarySchema>;

const startedParticipantSchema = z.object({
  streamId: z.string().min(1),
  status: streamStatusSchema,
  /** Why a participant is not transcribed (e.g. "channel not present"); becomes the API's `errorMessage`. */
  message: z.string().optional(),
});
const stoppedParticipantSchema = startedParticipantSchema.extend({ summary: streamSummarySchema });
export type StartedParticipant = z.infer<typeof startedParticipantSchema>;
export type StoppedParticipant = z.infer<typeof stoppedParticipantSchema>;

export const startResultsSchema = z.object({ customer: startedParticipantSchema, agent: startedParticipantSchema });
export const stopResultsSchema = z.object({ customer: stoppedParticipantSchema, agent: stoppedParticipantSchema });
export type StartResults = z.infer<typeof startResultsSchema>;
/** Per-participant results of a stop; also what the store keeps for a span that ended with the call. */
export type StopResults = z.infer<typeof stopResultsSchema>;

export function streamStatus(code: StreamStatusCode): StreamStatus {
  return { code, description: STREAM_STATUS_DESCRIPTIONS[code] };
}
