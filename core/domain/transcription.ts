/** Settings a start-streaming request chooses for one start→stop span (docs/api-contract.md §2.1). */
export const REDACTION_OUTPUTS = ['redacted', 'unredacted', 'redacted_and_unredacted'] as const;
export type RedactionOutput = (typeof REDACTION_OUTPUTS)[number];

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
