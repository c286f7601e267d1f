import { z } from 'zod';
import { ERROR_CODES, type ErrorCode } from '#core/contract/error-codes.ts';

/** Errors with a public code (core/contract/error-codes.ts) and the envelope they are answered in. */
export type { ErrorCode };

/** A failure with a public code. `detail` refines the message; it must never echo request values. */
export class ApiError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    readonly detail?: string,
  ) {
    super(detail ? `${ERROR_CODES[code].message}: ${detail}` : ERROR_CODES[code].message);
    this.name = 'ApiError';
    this.status = ERROR_CODES[code].status;
  }
}

/** The body of every non-2xx response, keys in contract order (docs/api-contract.md §1.2). */
export const errorEnvelopeSchema = z
  .object({
    error: z.object({
      requestId: z.string(),
      message: z.string().meta({ description: "The code's message, refined by a detail; clients must not parse it." }),
      code: z.enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]),
    }),
  })
  .meta({ id: 'ErrorEnvelope' });
export type ErrorEnvelope = z.infer<typeof errorEnvelopeSchema>;

export function errorEnvelope(requestId: string, error: ApiError): ErrorEnvelope {
  return { error: { requestId, message: error.message, code: error.code } };
}
