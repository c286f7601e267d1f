import type { Entity, Item, Result } from '@aws-sdk/client-transcribe-streaming';
import type { Role } from '#core/domain/participant.ts';
import type { RecognitionResult, RecognizedEntity, RecognizedWord } from '../recognizer.ts';
import type { StreamClock } from './stream-clock.ts';

export interface ResultMapping {
  clock: StreamClock;
  /** Role per Transcribe channel: index 0 is `ch_0`. A single-channel stream has no `ChannelId`. */
  channelRoles: readonly Role[];
  wordTimings: boolean;
}

/** Maps one final Transcribe result to the engine-neutral shape, or `undefined` when it says nothing usable. */
export function mapResult(result: Result, mapping: ResultMapping): RecognitionResult | undefined {
  const role = roleOf(result.ChannelId, mapping.channelRoles);
  const alternative = result.Alternatives?.[0];
  const text = alternative?.Transcript?.trim();
  if (!role || !text) return undefined;

  const { clock } = mapping;
  const items = alternative?.Items ?? [];
  const confidences = items
    .filter((item) => item.Type !== 'punctuation' && item.Confidence !== undefined)
    .map((item) => item.Confidence as number);
  const entities = (alternative?.Entities ?? []).map((entity) => mapEntity(entity, clock));

  return {
    role,
    text,
    ...span(result.StartTime, result.EndTime, clock),
    ...(confidences.length > 0 && { confidence: confidences.reduce((a, b) => a + b, 0) / confidences.length }),
    ...(mapping.wordTimings && items.length > 0 && { words: items.map((item) => mapItem(item, clock)) }),
    ...(entities.length > 0 && { entities }),
  };
}

function roleOf(channelId: string | undefined, channelRoles: readonly Role[]): Role | undefined {
  if (channelId === undefined) return channelRoles.length === 1 ? channelRoles[0] : undefined;
  const match = /^ch_(\d+)$/.exec(channelId);
  return match ? channelRoles[Number(match[1])] : undefined;
}

function mapItem(item: Item, clock: StreamClock): RecognizedWord {
  return {
    content: item.Content ?? '',
    kind: item.Type === 'punctuation' ? 'punctuation' : 'word',
    ...span(item.StartTime, item.EndTime, clock),
    ...(item.Confidence !== undefined && { confidence: item.Confidence }),
  };
}

function mapEntity(entity: Entity, clock: StreamClock): RecognizedEntity {
  return {
    category: entity.Category ?? 'PII',
    type: entity.Type ?? 'UNKNOWN',
    content: entity.Content ?? '',
    ...(entity.StartTime !== undefined && span(entity.StartTime, entity.EndTime, clock)),
  };
}

/** A zero-length span sitting exactly on a skipped gap would otherwise end before it starts. */
function span(start: number | undefined, end: number | undefined, clock: StreamClock): { startMs: number; endMs: number } {
  const startMs = clock.toCallMs(start ?? 0, 'start');
  return { startMs, endMs: Math.max(startMs, clock.toCallMs(end ?? start ?? 0, 'end')) };
}
