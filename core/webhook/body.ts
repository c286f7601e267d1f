import { z } from 'zod';
import { ROLES } from '../domain/participant.ts';
import type { Utterance } from '../domain/utterance.ts';

const tokenSchema = z.strictObject({
  content: z.string(),
  start: z.number(),
  end: z.number(),
  punctuationAfter: z.string().optional(),
  punctuationBefore: z.string().optional(),
});

/** The real-time webhook body, keys in contract order (docs/api-contract.md §3.1). */
export const webhookBodySchema = z
  .strictObject({
    type: z.literal('transcript'),
    externalConversationId: z.string().meta({ description: 'The `guid` start-streaming received.' }),
    streamId: z.string(),
    sender: z.strictObject({ externalId: z.string(), role: z.enum(ROLES) }),
    autotranscribeResponse: z.strictObject({
      message: z.literal('transcript'),
      start: z.number().meta({ description: "Offset on the call's audio timeline, ms (docs/api-contract.md §2.7)." }),
      end: z.number().meta({ description: 'Offset on the same timeline, ms (not a duration).' }),
      utterance: z
        .array(z.strictObject({ text: z.string(), token: z.array(tokenSchema).optional() }))
        .meta({ description: 'One text, or redacted then unredacted with redactionOutput redacted_and_unredacted (§3.3).' }),
    }),
  })
  .meta({ id: 'WebhookTranscript' });
export type WebhookBody = z.infer<typeof webhookBodySchema>;

export function webhookBody(u: Utterance): WebhookBody {
  const utterance: WebhookBody['autotranscribeResponse']['utterance'] =
    u.redactionOutput === 'redacted'
      ? [{ text: u.maskedText }]
      : u.redactionOutput === 'unredacted'
        ? [u.tokens ? { text: u.rawText, token: u.tokens } : { text: u.rawText }]
        : [{ text: u.maskedText }, { text: u.rawText }];
  return {
    type: 'transcript',
    externalConversationId: u.externalConversationId,
    streamId: u.streamId,
    sender: { externalId: u.externalId, role: u.role },
    autotranscribeResponse: { message: 'transcript', start: u.startMs, end: u.endMs, utterance },
  };
}
