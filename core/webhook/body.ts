import type { Role } from '../domain/participant.ts';
import type { Utterance, UtteranceToken } from '../domain/utterance.ts';

/** The real-time webhook body, keys in contract order (docs/api-contract.md §3.1). */
export interface WebhookBody {
  type: 'transcript';
  externalConversationId: string;
  streamId: string;
  sender: { externalId: string; role: Role };
  autotranscribeResponse: {
    message: 'transcript';
    start: number;
    end: number;
    utterance: Array<{ text: string; token?: UtteranceToken[] }>;
  };
}

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
