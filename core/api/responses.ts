import type { Role } from '../domain/participant.ts';
import type { StartResults, StartedParticipant, StopResults, StoppedParticipant } from '../domain/participant-result.ts';
import { STREAM_STATUS } from '#core/contract/status-codes.ts';

/**
 * start-streaming / stop-streaming 200 bodies, keys in contract order (docs/api-contract.md §2.3, §2.4): the
 * domain's per-participant result without its internal `message` (which becomes `errorMessage`).
 */
type ParticipantResponse = Pick<StoppedParticipant, 'streamId' | 'status'> & Partial<Pick<StoppedParticipant, 'summary'>>;

export interface StreamingResponse {
  isOk: boolean;
  errorMessage?: string;
  autotranscribeResponse: { customer: ParticipantResponse; agent: ParticipantResponse };
}

export function startResponse(results: StartResults): StreamingResponse {
  return streamingResponse(results, (s) => participant(s));
}

export function stopResponse(results: StopResults): StreamingResponse {
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

function streamingResponse<S extends StartedParticipant | StoppedParticipant>(
  results: Record<Role, S>,
  shape: (s: S) => ParticipantResponse,
): StreamingResponse {
  const failing = (['customer', 'agent'] as const).filter((role) => results[role].status.code !== STREAM_STATUS.OK);
  const autotranscribeResponse = { customer: shape(results.customer), agent: shape(results.agent) };
  if (failing.length === 0) return { isOk: true, autotranscribeResponse };
  const errorMessage = failing.map((role) => `${role}: ${results[role].message ?? results[role].status.description}`).join('; ');
  return { isOk: false, errorMessage, autotranscribeResponse };
}

export function anyParticipantOk(results: StartResults): boolean {
  return results.customer.status.code === STREAM_STATUS.OK || results.agent.status.code === STREAM_STATUS.OK;
}
