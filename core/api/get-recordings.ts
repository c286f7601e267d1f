import { z } from 'zod';
import type { RecordingsConfig } from '../recordings/config.ts';
import type { RecordingsBucket } from '../recordings/recordings-bucket.ts';
import { RECORDING_FRAME_BYTES, RECORDING_SAMPLE_RATE, WAV_HEADER_BYTES } from '../recordings/wav.ts';
import { conversationKey } from '../stores/conversation-key.ts';

/**
 * `GET /conversation/v1/conversation/recordings?externalId=…`: the call's recordings, one per span that
 * asked for one, each with a presigned download URL (docs/recordings.md).
 */
const recordingItemSchema = z.object({
  recordingId: z.string(),
  customerStreamId: z.string().nullable(),
  agentStreamId: z.string().nullable(),
  startTimestamp: z.string().nullable(),
  offsetMs: z
    .number()
    .nullable()
    .meta({ description: "Where the recording's first sample lies on the call's audio timeline (the clock of utterance offsets)." }),
  durationMs: z.number().int().nonnegative(),
  sizeBytes: z.number().int().nonnegative(),
  url: z.string().meta({ description: 'Presigned download URL of the WAV file.' }),
  urlExpiresAt: z.string(),
});
type RecordingItem = z.infer<typeof recordingItemSchema>;

export const recordingsResponseSchema = z.object({ items: z.array(recordingItemSchema) }).meta({ id: 'RecordingsResponse' });
export type RecordingsResponse = z.infer<typeof recordingsResponseSchema>;

export interface RecordingsDeps {
  /** Absent when the deployment does not record. */
  bucket?: RecordingsBucket;
  config: RecordingsConfig;
  now: () => number;
}

/** Spans recorded per call that are listed (a call has one per start→stop). */
const MAX_LISTED_RECORDINGS = 100;
const DAY_MS = 86_400_000;

export async function getRecordings(externalId: string, principal: { tenant: string }, deps: RecordingsDeps): Promise<RecordingsResponse> {
  if (!deps.bucket) return { items: [] };
  const now = deps.now();
  const oldest = now - deps.config.retentionDays * DAY_MS;
  const stored = await deps.bucket.list(principal.tenant, conversationKey(externalId), MAX_LISTED_RECORDINGS);
  const items: RecordingItem[] = [];
  for (const r of stored) {
    // The lifecycle rule deletes lazily: what is past retention is gone as far as clients know.
    if (r.lastModified && r.lastModified.getTime() < oldest) continue;
    const expiresIn = deps.config.urlExpirySeconds;
    items.push({
      recordingId: r.recordingId,
      customerStreamId: r.customerStreamId ?? null,
      agentStreamId: r.agentStreamId ?? null,
      startTimestamp: r.startedAt ?? null,
      offsetMs: r.offsetSamples === undefined ? null : (r.offsetSamples * 1000) / RECORDING_SAMPLE_RATE,
      durationMs: Math.floor((Math.max(0, r.bytes - WAV_HEADER_BYTES) / RECORDING_FRAME_BYTES / RECORDING_SAMPLE_RATE) * 1000),
      sizeBytes: r.bytes,
      url: await deps.bucket.presignGet(r.key, expiresIn),
      urlExpiresAt: new Date(now + expiresIn * 1000).toISOString(),
    });
  }
  return { items };
}
