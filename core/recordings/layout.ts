/**
 * Where call recordings live in the recordings bucket, shared by the gateway that writes them and the
 * API that lists them: `recordings/v1/<tenant>/<conversation>/<recordingId>.wav`, one object per
 * start→stop span. The recording id is a ULID of the span's start, so keys list in call order. What
 * the key cannot say travels as object metadata, written when the upload begins.
 */
const RECORDINGS_PREFIX = 'recordings/v1/';

/** Object metadata names (sent as `x-amz-meta-<name>`; S3 lower-cases them). */
export const RECORDING_METADATA = {
  /** Position of the recording's first sample on the call's audio timeline, in samples at 8 kHz. */
  offsetSamples: 'offset-samples',
  /** When the span started (ISO-8601, UTC). */
  startedAt: 'started-at',
  customerStreamId: 'customer-stream-id',
  agentStreamId: 'agent-stream-id',
} as const;

/** Each segment is percent-encoded, so no tenant or conversation id can reach into another's prefix. */
export function recordingsPrefix(tenant: string, conversation: string): string {
  return `${RECORDINGS_PREFIX}${encodeURIComponent(tenant)}/${encodeURIComponent(conversation)}/`;
}

export function recordingKey(tenant: string, conversation: string, recordingId: string): string {
  return `${recordingsPrefix(tenant, conversation)}${recordingId}.wav`;
}

/** The recording id of a key under `prefix`, or undefined for anything else. */
export function recordingIdOf(key: string, prefix: string): string | undefined {
  if (!key.startsWith(prefix) || !key.endsWith('.wav')) return undefined;
  const id = key.slice(prefix.length, -'.wav'.length);
  return /^[0-9A-HJKMNP-TV-Z]{26}$/.test(id) ? id : undefined;
}
