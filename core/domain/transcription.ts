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

const STATUS_DESCRIPTIONS: Record<number, string> = {
  1000: 'OK',
  4050: 'Language not supported',
  4051: 'Encoding not supported',
  4080: 'Unable to transcribe the audio',
  5000: 'Internal service error',
  5001: 'Service shutting down',
  5002: 'No instances available',
};

export function streamStatus(code: number): StreamStatus {
  return { code, description: STATUS_DESCRIPTIONS[code] ?? 'Internal service error' };
}
