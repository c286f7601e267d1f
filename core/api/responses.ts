import { z } from 'zod';
import type { Role } from '../domain/participant.ts';
import {
  streamStatusSchema,
  streamSummarySchema,
  type StartResults,
  type StartedParticipant,
  type StopResults,
  type StoppedParticipant,
} from '../domain/participant-result.ts';
import { STREAM_STATUS } from '#core/contract/status-codes.ts';

/**
 * start-streaming / stop-streaming 200 bodies, keys in contract order (docs/api-contract.md §2.3, §2.4): the
 * domain's per-participant result without its internal `message` (which becomes `errorMessage`).
 */
const startedParticipantResponse = z.object({ streamId: z.string(), status: streamStatusSchema });
const stoppedParticipantResponse = startedParticipantResponse.extend({ summary: streamSummarySchema });

function streamingResponseSchema<P extends z.ZodType>(participant: P) {
  return z.object({
    isOk: z.boolean().meta({ description: 'True when every participant is 1000 OK.' }),
    errorMessage: z.string().optional().meta({ description: 'Present when isOk is false: why, per failing participant.' }),
    autotranscribeResponse: z.object({ customer: participant, agent: participant }),
  });
}

export const startStreamingResponseSchema = streamingResponseSchema(startedParticipantResponse).meta({ id: 'StartStreamingResponse' });
export const stopStreamingResponseSchema = streamingResponseSchema(stoppedParticipantResponse).meta({ id: 'StopStreamingResponse' });
export type StartStreamingResponse = z.infer<typeof startStreamingResponseSchema>;
export type StopStreamingResponse = z.infer<typeof stopStreamingResponseSchema>;
type ParticipantResponse = z.infer<typeof startedParticipantResponse>;

export function startResponse(results: StartResults): StartStreamingResponse {
  return streamingResponse(results, (s) => participant(s));
}

export function stopResponse(results: StopResults): StopStreamingResponse {
  return streamingResponse(results, (s) => ({
    ...participant(s),
    summary: {
      totalAudioBytes: s.summary.totalAudioBytes,
      audioDurationMs: s.summary.audioDurationMs,
      streamingSeconds: s.summary.streamingSeconds,
      transcripts: s.summary.transcripts,
    },
  }));
}

function participant(s: StartedParticipant): ParticipantResponse {
  return { streamId: s.streamId, status: { code: s.status.code, description: s.status.description } };
}

function streamingResponse<S extends StartedParticipant | StoppedParticipant, P extends ParticipantResponse>(
  results: Record<Role, S>,
  shape: (s: S) => P,
): { isOk: boolean; errorMessage?: string; autotranscribeResponse: Record<Role, P> } {
  const failing = (['customer', 'agent'] as const).filter((role) => results[role].status.code !== STREAM_STATUS.OK);
  const autotranscribeResponse = { customer: shape(results.customer), agent: shape(results.agent) };
  if (failing.length === 0) return { isOk: true, autotranscribeResponse };
  const errorMessage = failing.map((role) => `${role}: ${results[role].message ?? results[role].status.description}`).join('; ');
  return { isOk: false, errorMessage, autotranscribeResponse };
}

export function anyParticipantOk(results: StartResults): boolean {
  return results.customer.status.code === STREAM_STATUS.OK || results.agent.status.code === STREAM_STATUS.OK;
}
