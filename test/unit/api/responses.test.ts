import { describe, expect, it } from 'vitest';
import { ApiError, errorEnvelope } from '#core/api/errors.ts';
import { ERROR_CODES } from '#core/contract/error-codes.ts';
import { startResponse, stopResponse } from '#core/api/responses.ts';
import { HOUR_SHARD_COUNT, hourOf, hourShardKey, hourShardOf, shardOf } from '#core/stores/hour-shard.ts';
import { updateExpression, withCondition } from '#core/stores/update-expression.ts';

describe('error envelope', () => {
  it('has requestId, message, code in that order, and status from the code', () => {
    const error = new ApiError('409-202');
    expect(error.status).toBe(409);
    expect(JSON.stringify(errorEnvelope('req-1', error))).toBe(
      '{"error":{"requestId":"req-1","message":"Another request for the same guid is pending","code":"409-202"}}',
    );
    expect(new ApiError('400-01', 'externalId is required').message).toBe('Bad request: externalId is required');
  });

  it("every code's HTTP status is its prefix", () => {
    for (const [code, { status }] of Object.entries(ERROR_CODES)) expect(code.startsWith(`${status}-`)).toBe(true);
  });
});

describe('start/stop bodies', () => {
  const ok = { code: 1000, description: 'OK' };
  it('drop fields the contract does not have and order keys', () => {
    const response = startResponse({
      customer: { streamId: 'c', status: { description: 'OK', code: 1000 }, extra: 1 } as never,
      agent: { streamId: 'a', status: ok },
    });
    expect(JSON.stringify(response)).toBe(
      '{"isOk":true,"autotranscribeResponse":{"customer":{"streamId":"c","status":{"code":1000,"description":"OK"}},"agent":{"streamId":"a","status":{"code":1000,"description":"OK"}}}}',
    );
  });

  it('isOk false with errorMessage naming each failing participant', () => {
    const summary = { transcripts: 0, streamingSeconds: 0, audioDurationMs: 0, totalAudioBytes: 0 };
    const response = stopResponse({
      customer: { streamId: 'c', status: { code: 5000, description: 'Internal service error' }, summary },
      agent: { streamId: 'a', status: { code: 5001, description: 'Service shutting down' }, message: 'gateway draining', summary },
    });
    expect(response.isOk).toBe(false);
    expect(response.errorMessage).toBe('customer: Internal service error; agent: gateway draining');
    expect(Object.keys(response.autotranscribeResponse.agent.summary!)).toEqual([
      'totalAudioBytes',
      'audioDurationMs',
      'streamingSeconds',
      'transcripts',
    ]);
  });
});

describe('hour shards', () => {
  it('key is the UTC hour of createdTimestamp and a two-digit shard', () => {
    expect(hourOf('2026-11-24T15:07:56.412+02:00')).toBe('2026-11-24T13');
    expect(hourShardKey('2026-11-24T13', 7)).toBe('2026-11-24T13#07');
    expect(hourShardOf('2026-11-24T13:59:59.999Z', '01GMXE90AEV7H3J4DPBDKB1R79')).toMatch(/^2026-11-24T13#(0\d|1[0-5])$/);
    expect(() => hourShardKey('2026-11-24', 0)).toThrow(RangeError);
    expect(() => hourShardKey('2026-11-24T13', 16)).toThrow(RangeError);
  });

  it('spreads ids evenly and deterministically', () => {
    const counts = new Array(HOUR_SHARD_COUNT).fill(0);
    for (let i = 0; i < 16_000; i++) counts[shardOf(`01GMXE90AEV7H3J4DPBDK${i.toString(32).padStart(5, '0').toUpperCase()}`)]++;
    expect(Math.min(...counts)).toBeGreaterThan(800);
    expect(Math.max(...counts)).toBeLessThan(1_200);
    expect(shardOf('01GMXE90AEV7H3J4DPBDKB1R79')).toBe(shardOf('01GMXE90AEV7H3J4DPBDKB1R79'));
  });
});

describe('update expressions', () => {
  it('aliases every name, skips undefined values, merges conditions', () => {
    const parts = withCondition(updateExpression({ a: 1, b: undefined, settings: { x: 1 } }, ['c']), '#a = :old', {}, { ':old': 0 });
    expect(parts).toEqual({
      UpdateExpression: 'SET #a = :a, #settings = :settings REMOVE #c',
      ExpressionAttributeNames: { '#a': 'a', '#settings': 'settings', '#c': 'c' },
      ExpressionAttributeValues: { ':a': 1, ':settings': { x: 1 }, ':old': 0 },
      ConditionExpression: '#a = :old',
    });
  });
});
