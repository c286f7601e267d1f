import type { UtteranceToken } from '../domain/utterance.ts';
import { customRedactionFor, type CustomRedaction, type TenantRedactionRules } from '../redaction/custom-rules.ts';
import { DEFAULT_ENTITY_TYPES, entitySpans } from '../redaction/entities.ts';
import type { RedactionSpan } from '../redaction/mask.ts';
import { redact } from '../redaction/redact.ts';
import { DEFAULT_RULES, type RedactionRuleName } from '../redaction/rules.ts';
import type { VocabularyRewrite } from '../vocabulary/rewrite.ts';
import type { EngineEntity, EngineWord } from './engine-output.ts';
import { rawEngineWords, smartFormat } from './smart-format.ts';
import { formatTokens } from './tokens.ts';

/*
 * From one final recognition result to the texts an utterance carries. The gateway and the offline
 * transcription command both call this, so formatting and redaction exist in one place only.
 */

export interface RedactionSettings {
  /** Rules in force (see `resolveRules`); always-on rules run whatever is listed. */
  rules: readonly RedactionRuleName[];
  /** Engine-identified entity types to mask. */
  entityTypes: readonly string[];
  /** The tenant's own rules on top (TENANT_REDACTION_RULES). */
  custom?: CustomRedaction;
}

export const DEFAULT_REDACTION: RedactionSettings = { rules: DEFAULT_RULES, entityTypes: DEFAULT_ENTITY_TYPES };

/** The settings each tenant's utterances are rendered with: the default rules plus its own (TENANT_REDACTION_RULES). */
export function tenantRedaction(rules: TenantRedactionRules): (tenant: string) => RedactionSettings {
  return (tenant) => {
    const custom = customRedactionFor(rules, tenant);
    return custom ? { ...DEFAULT_REDACTION, custom } : DEFAULT_REDACTION;
  };
}

export interface RenderOptions {
  redaction: RedactionSettings;
  /** Build detailed tokens (only when the engine returned word items). */
  wantTokens: boolean;
  /** Added to token times for engines whose word times are not yet on the call timeline. */
  tokenOffsetMs?: number;
  /** The tenant's custom vocabulary: spoken forms become their phrases before formatting and redaction. */
  vocabulary?: VocabularyRewrite;
}

export interface RenderInput {
  /** Engine text: raw words (embedded engine) or already formatted (Amazon Transcribe). */
  text: string;
  words?: readonly EngineWord[];
  entities?: readonly EngineEntity[];
}

export interface RenderedUtteranceText {
  /** Smart-formatted text. */
  rawText: string;
  /** `rawText` with sensitive spans masked by `#`, same length. */
  maskedText: string;
  /** What was masked; offsets into both texts. Never log the raw text they point at. */
  spans: RedactionSpan[];
  /** Unredacted detailed tokens, when wanted and the engine returned words. */
  tokens?: UtteranceToken[];
}

/** Smart formatting with the custom vocabulary's phrases put in first (see VocabularyRewrite.mark). */
function formatWithVocabulary(text: string, vocabulary: VocabularyRewrite | undefined): string {
  if (!vocabulary || vocabulary.size === 0) return smartFormat(text);
  // Raw words but for the phrases the embedded engine wrote itself: those are kept out of formatting.
  const marked = vocabulary.mark(text);
  // Already formatted (Amazon Transcribe): formatting leaves it as it is, so the phrases go straight in.
  if (rawEngineWords(marked.text.trim()) === undefined) return vocabulary.apply(text).trim();
  return marked.restore(smartFormat(marked.text));
}

export function renderUtteranceText(result: RenderInput, options: RenderOptions): RenderedUtteranceText {
  const rawText = formatWithVocabulary(result.text, options.vocabulary);
  const fromEntities = result.entities?.length
    ? entitySpans(rawText, result.words ?? [], result.entities, options.redaction.entityTypes)
    : [];
  const { text: maskedText, spans } = redact(rawText, {
    rules: options.redaction.rules,
    entitySpans: fromEntities,
    custom: options.redaction.custom,
  });
  const rendered: RenderedUtteranceText = { rawText, maskedText, spans };
  if (options.wantTokens && result.words?.length) rendered.tokens = formatTokens(result.words, options.tokenOffsetMs);
  return rendered;
}
