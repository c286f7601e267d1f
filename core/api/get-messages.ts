import { z } from 'zod';
import { ApiError } from './errors.ts';
import type { MessagesDeps } from './deps.ts';
import { isJsonObject } from './request-body.ts';
import { ROLES } from '../domain/participant.ts';

/** The after-call GET (docs/api-contract.md §4). */
export const messagesResponseSchema = z
  .object({
    items: z.array(
      z.object({
        text: z.string().min(1),
        sender: z.object({ role: z.enum(ROLES), externalId: z.string().nullable() }),
        messageId: z.string(),
        createdTimestamp: z.string().meta({ description: 'When the utterance was recorded, RFC 3339 with milliseconds.' }),
        clientTimestamp: z.string().meta({ description: 'When the words were spoken, RFC 3339 with milliseconds.' }),
      }),
    ),
  })
  .meta({ id: 'MessagesResponse' });
export type MessagesResponse = z.infer<typeof messagesResponseSchema>;

/**
 * The query of the after-call reads (messages and recordings): the call's `guid` as start-streaming
 * received it. A GET body `{"externalId": …}` is also accepted when the query has none.
 */
export const externalIdQuerySchema = z.object({
  externalId: z
    .string()
    .max(255)
    .refine((s) => s.trim().length > 0)
    .meta({ description: 'The call: the `guid` start-streaming received. Not blank, at most 255 characters.' }),
});

/**
 * `externalId` from the query string, or, when that is absent, from a JSON body as ASAPP's streaming
 * guide sends it (docs/api-contract.md §4.1, §8 #10). Anything else is 400-01.
 */
export function externalIdOf(queryValue: string | undefined, rawBody: string | undefined): string {
  let candidate: unknown = queryValue;
  if (queryValue === undefined || queryValue === '') {
    candidate = undefined;
    if (rawBody !== undefined && rawBody.trim() !== '') {
      try {
        const body: unknown = JSON.parse(rawBody);
        if (isJsonObject(body)) candidate = body.externalId;
      } catch {
        throw new ApiError('400-01', 'request body is not valid JSON');
      }
    }
  }
  const parsed = externalIdQuerySchema.shape.externalId.safeParse(candidate);
  if (!parsed.success)
    throw new ApiError(
      '400-01',
      candidate === undefined ? 'externalId is required' : 'externalId must be a non-empty string of at most 255 characters',
    );
  return parsed.data;
}

export async function getMessages(externalId: string, principal: { tenant: string }, deps: MessagesDeps): Promise<MessagesResponse> {
  const stored = await deps.messages.listConversationMessages(externalId, { tenant: principal.tenant });
  return {
    items: stored
      // The schema requires non-empty text; an empty utterance has nothing to show.
      .filter((m) => m.text.length > 0)
      .map((m) => ({
        text: m.text,
        sender: { role: m.role, externalId: m.externalId || null },
        messageId: m.messageId,
        createdTimestamp: m.createdTimestamp,
        clientTimestamp: m.clientTimestamp,
      })),
  };
}
