import { describe, expect, it } from 'vitest';
import { ApiError } from '#core/api/errors.ts';
import { parseStartRequest, parseStopRequest } from '#core/api/streaming-request.ts';
import { externalIdOf } from '#core/api/get-messages.ts';

const body = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({ namespace: 'genesysaudiohook', guid: 'ABC-def', customerId: 'c', agentId: 'a', ...extra });

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    return error instanceof ApiError ? error.code : 'not an ApiError';
  }
}

describe('start request', () => {
  it("applies defaults and keeps the guid as sent next to its lower-case key; no language: the call's own", () => {
    expect(parseStartRequest(body(), 'default')).toEqual({
      conversationId: 'abc-def',
      externalConversationId: 'ABC-def',
      settings: { detailedToken: false, redactionOutput: 'redacted', audioRecordingAllowed: false, customerId: 'c', agentId: 'a' },
    });
  });

  it('canonicalises the language and accepts the documented combinations', () => {
    const command = parseStartRequest(
      body({
        autotranscribeParams: { language: 'es-us', detailedToken: true, redactionOutput: 'unredacted', audioRecordingAllowed: true },
      }),
      'default',
    );
    expect(command.settings).toMatchObject({
      language: 'es-US',
      detailedToken: true,
      redactionOutput: 'unredacted',
      audioRecordingAllowed: true,
    });
    expect(
      parseStartRequest(body({ autotranscribeParams: { redactionOutput: 'redacted_and_unredacted' } }), 'default').settings.redactionOutput,
    ).toBe('redacted_and_unredacted');
    expect(
      parseStartRequest(
        body({
          siprecParams: { mediaLineOrder: 'AGENT_FIRST' },
          twilioParams: { trackMap: { inbound: 'agent' } },
          amazonConnectParams: { streamArn: 'arn', startSelectorType: 'NOW' },
        }),
        'default',
      ),
    ).toBeDefined();
  });

  it('tenant policy: always allows only redacted, off allows only unredacted', () => {
    expect(codeOf(() => parseStartRequest(body(), 'always'))).toBeUndefined();
    expect(codeOf(() => parseStartRequest(body({ autotranscribeParams: { redactionOutput: 'unredacted' } }), 'always'))).toBe('400-202');
    expect(codeOf(() => parseStartRequest(body(), 'off'))).toBe('400-202');
    expect(codeOf(() => parseStartRequest(body({ autotranscribeParams: { redactionOutput: 'unredacted' } }), 'off'))).toBeUndefined();
  });

  it('error messages name the field, never the value', () => {
    try {
      parseStartRequest(body({ customerId: 42, agentId: 'secret-agent-value' }), 'default');
      expect.unreachable();
    } catch (error) {
      expect((error as ApiError).message).toBe('MG AutoTranscribe API parameter incorrect: customerId has the wrong type');
    }
    expect(() => parseStartRequest(body({ guid: undefined }), 'default')).toThrow('guid is required');
  });
});

describe('stop request', () => {
  it('needs namespace and guid only', () => {
    expect(parseStopRequest('{"namespace":"genesysaudiohook","guid":"X"}')).toEqual({ conversationId: 'x', externalConversationId: 'X' });
    expect(codeOf(() => parseStopRequest('{"guid":"X"}'))).toBe('400-201');
  });
});

describe('messages externalId', () => {
  it('query first, JSON body as fallback', () => {
    expect(externalIdOf('q', '{"externalId":"b"}')).toBe('q');
    expect(externalIdOf(undefined, '{"externalId":"b"}')).toBe('b');
    expect(externalIdOf('', '{"externalId":"b"}')).toBe('b');
    expect(codeOf(() => externalIdOf(undefined, undefined))).toBe('400-01');
    expect(codeOf(() => externalIdOf(undefined, '{'))).toBe('400-01');
  });
});
