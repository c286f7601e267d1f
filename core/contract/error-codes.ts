/**
 * The error codes of every non-2xx response, with their HTTP status and message (docs/api-contract.md
 * §1.2, §2.5). Messages of the generic codes are ASAPP's; clients must not parse any of them. The
 * handlers' errors (core/api/errors.ts), the stack's Gateway Responses and WAF answer, and the OpenAPI
 * document all take them from here.
 */
export const ERROR_CODES = {
  '400-01': { status: 400, message: 'Bad request' },
  '401-01': { status: 401, message: 'Unauthorized' },
  '403-01': { status: 403, message: 'Forbidden Response' },
  '404-01': { status: 404, message: 'Not Found' },
  '408-01': { status: 408, message: 'Request Timeout' },
  '409-01': { status: 409, message: 'Conflict' },
  '413-01': { status: 413, message: 'Request Entity Too Large' },
  '422-01': { status: 422, message: 'Unprocessable Entity' },
  '429-01': { status: 429, message: 'Too Many Requests' },
  '503-01': { status: 503, message: 'Service Unavailable' },
  '500-01': { status: 500, message: 'Internal server error' },
  '400-201': { status: 400, message: 'MG AutoTranscribe API parameter incorrect' },
  '400-202': { status: 400, message: 'AutoTranscribe parameter or parameter combination incorrect' },
  '400-203': { status: 400, message: 'No call with the specified guid' },
  '409-201': { status: 409, message: 'Transcription already started or already stopped' },
  '409-202': { status: 409, message: 'Another request for the same guid is pending' },
  '409-203': { status: 409, message: 'Call teardown in progress' },
  '500-201': { status: 500, message: 'MG AutoTranscribe internal error' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;
