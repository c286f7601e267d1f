import { STREAM_STATUS_DESCRIPTIONS, type StreamStatusCode } from '#core/contract/status-codes.ts';

/** Settings a start-streaming request chooses for one start→stop span (api-contract.md §2.1). */
export type RedactionOutput = 'redacted' | 'unredacted' | 'redacted_and_unredacted';

export const SUPPORTED_LANGUAGES = ['en-US', 'es-US'] as const;
type Language = (typeof SUPPORTED_LANGUAGES)[number];

/** The canonical tag for an IETF tag in any letter case (`EN-us` → `en-US`); undefined when unsupported. */
export function canonicalLanguage(tag: string): Language | undefined {
  const lower = tag.toLowerCase();
  return SUPPORTED_LANGUAGES.find((l) => l.toLowerCase() === lower);
}

export interface TranscriptionSettings {
  /**
   * As the start asked. Absent: the AudioHook session's own (`open.language`, changed by `update`), else
   * the gateway's DEFAULT_LANGUAGE.
   */
  language?: Language;
  detailedToken: boolean;
  redactionOutput: RedactionOutput;
  audioRecordingAllowed: boolean;
  customerId: string;
  agentId: string;
}

/** Per-participant status in start/stop responses (api-contract.md §2.6). */
export interface StreamStatus {
  code: number;
  description: string;
}

/** Per-participant counters of one start→stop span (api-contract.md §2.4). */
export interface StreamSummary {
  totalAudioBytes: number;
  audioDurationMs: number;
  streamingSeconds: number;
  transcripts: number;
}

export function streamStatus(code: StreamStatusCode): StreamStatus {
  return { code, description: STREAM_STATUS_DESCRIPTIONS[code] };
}
