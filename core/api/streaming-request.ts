import { z } from 'zod';
import { redactionRefusal } from '../config/api.ts';
import type { RedactionMode } from '#core/contract/redaction-modes.ts';
import { canonicalLanguage, REDACTION_OUTPUTS, type RedactionOutput, type TranscriptionSettings } from '../domain/transcription.ts';
import { conversationKey } from '../stores/conversation-key.ts';
import { ApiError } from './errors.ts';
import { parseJsonObject, validate } from './request-body.ts';

/**
 * start-streaming / stop-streaming request bodies, validated in the order of docs/api-contract.md §2.2:
 * body shape and field types/enums (400-201) first, then parameter combinations and tenant policy (400-202).
 */
const GUID_LIMIT = 255;
const identifier = z
  .string()
  .max(GUID_LIMIT)
  .refine((s) => s.trim().length > 0)
  .meta({ description: 'Not blank, at most 255 characters.' });

const participant = z.enum(['customer', 'agent']);

export const startStreamingRequestSchema = z
  .object({
    // The other namespaces of ASAPP's enum are not served: a field error like any other.
    namespace: z.literal('genesysaudiohook'),
    guid: identifier,
    customerId: identifier,
    agentId: identifier,
    autotranscribeParams: z
      .object({
        language: z.string().optional(),
        detailedToken: z.boolean().optional(),
        audioRecordingAllowed: z.boolean().optional(),
        redactionOutput: z.enum(REDACTION_OUTPUTS).optional(),
      })
      .optional(),
    // Validated when present, then ignored: they belong to other namespaces.
    siprecParams: z.object({ mediaLineOrder: z.enum(['CUSTOMER_FIRST', 'AGENT_FIRST']).optional() }).optional(),
    twilioParams: z
      .object({ trackMap: z.object({ inbound: participant.optional(), outbound: participant.optional() }).optional() })
      .optional(),
    amazonConnectParams: z
      .object({
        streamArn: z.string().optional(),
        startSelectorType: z.enum(['NOW', 'FRAGMENT_NUMBER']).optional(),
        afterFragmentNumber: z.string().optional(),
      })
      .optional(),
  })
  .meta({ id: 'StartStreamingRequest' });

export const stopStreamingRequestSchema = z
  .object({ namespace: z.literal('genesysaudiohook'), guid: identifier })
  .meta({ id: 'StopStreamingRequest' });

export interface ConversationTarget {
  /** Store key: the guid in lower case. */
  conversationId: string;
  /** The guid as the request sent it. */
  externalConversationId: string;
}

export interface StartCommand extends ConversationTarget {
  settings: TranscriptionSettings;
}

export function parseStartRequest(rawBody: string | undefined, redactionMode: RedactionMode): StartCommand {
  const body = validate(startStreamingRequestSchema, parseJsonObject(rawBody, '400-201'), '400-201');
  const params = body.autotranscribeParams ?? {};

  // No language: the call's own (the AudioHook session's), resolved by the gateway.
  const language = params.language === undefined ? undefined : canonicalLanguage(params.language);
  if (params.language !== undefined && !language) throw new ApiError('400-202', 'language not supported');
  const redactionOutput: RedactionOutput = params.redactionOutput ?? 'redacted';
  const detailedToken = params.detailedToken ?? false;
  if (detailedToken && redactionOutput !== 'unredacted') {
    throw new ApiError('400-202', 'detailedToken requires redactionOutput "unredacted"');
  }
  const refusal = redactionRefusal(redactionMode, redactionOutput);
  if (refusal) throw new ApiError('400-202', refusal);

  return {
    ...target(body.guid),
    settings: {
      ...(language ? { language } : {}),
      detailedToken,
      redactionOutput,
      audioRecordingAllowed: params.audioRecordingAllowed ?? false,
      customerId: body.customerId,
      agentId: body.agentId,
    },
  };
}

export function parseStopRequest(rawBody: string | undefined): ConversationTarget {
  return target(validate(stopStreamingRequestSchema, parseJsonObject(rawBody, '400-201'), '400-201').guid);
}

function target(guid: string): ConversationTarget {
  return { conversationId: conversationKey(guid), externalConversationId: guid };
}
