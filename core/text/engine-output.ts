/*
 * The parts of a recognizer's final result that formatting and redaction read. Declared here, not
 * imported from the gateway, because core depends on nothing outside it (docs/architecture.md); the
 * gateway's RecognizedWord and RecognizedEntity fit these shapes as they are.
 */

export interface EngineWord {
  /** A word, or a punctuation mark when `kind` is `punctuation`. */
  content: string;
  kind: 'word' | 'punctuation';
  startMs: number;
  endMs: number;
}

/** Personal data the engine identified (Amazon Transcribe PII identification). */
export interface EngineEntity {
  /** `CREDIT_DEBIT_NUMBER`, `SSN`, `NAME`, … */
  type: string;
  content: string;
  startMs?: number;
  endMs?: number;
}
