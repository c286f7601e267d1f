/**
 * Per-participant status codes of start-streaming / stop-streaming (docs/api-contract.md, "Status
 * codes"): the ASAPP-compatible numbers, named once. Every producer (the gateway's recognizers and
 * spans) and every consumer (the API responses, the console) uses these names, never the bare numbers.
 */
export const STREAM_STATUS = {
  OK: 1000,
  LANGUAGE_NOT_SUPPORTED: 4050,
  ENCODING_NOT_SUPPORTED: 4051,
  UNABLE_TO_TRANSCRIBE: 4080,
  INTERNAL_ERROR: 5000,
  SHUTTING_DOWN: 5001,
  NO_INSTANCES_AVAILABLE: 5002,
} as const;

export type StreamStatusCode = (typeof STREAM_STATUS)[keyof typeof STREAM_STATUS];

/** The codes a recognizer or a span may fail a participant with (everything but OK). */
export type StreamFailureCode = Exclude<StreamStatusCode, typeof STREAM_STATUS.OK>;

/** The `description` the contract pairs with each code. */
export const STREAM_STATUS_DESCRIPTIONS: Readonly<Record<StreamStatusCode, string>> = {
  [STREAM_STATUS.OK]: 'OK',
  [STREAM_STATUS.LANGUAGE_NOT_SUPPORTED]: 'Language not supported',
  [STREAM_STATUS.ENCODING_NOT_SUPPORTED]: 'Encoding not supported',
  [STREAM_STATUS.UNABLE_TO_TRANSCRIBE]: 'Unable to transcribe the audio',
  [STREAM_STATUS.INTERNAL_ERROR]: 'Internal service error',
  [STREAM_STATUS.SHUTTING_DOWN]: 'Service shutting down',
  [STREAM_STATUS.NO_INSTANCES_AVAILABLE]: 'No instances available',
};
