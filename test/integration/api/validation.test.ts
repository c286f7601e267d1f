import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoDbDocumentClient } from '#core/aws/clients.ts';
import { MAX_BODY_BYTES } from '#core/api/request-body.ts';
import { createConversationsStore } from '#core/stores/conversations.ts';
import { handler as start } from '#lambdas/start-streaming/handler.ts';
import { handler as stop } from '#lambdas/stop-streaming/handler.ts';
import { handler as messages } from '#lambdas/conversation-messages/handler.ts';
import type { ApiHandler } from '#lambdas/shared/api-handler.ts';
import { useEmulators } from '#test/support/emulators.ts';
import { startControlDouble, type ControlDouble } from '#test/support/gateway-control-double.ts';
import {
  CREDENTIALS,
  MESSAGES_PATH,
  START_PATH,
  STOP_PATH,
  call,
  configureApiEnv,
  expectError,
  startBody,
  type Caller,
  type Called,
} from './api-test-kit.ts';

/**
 * Malformed bodies and headers, table-driven: each gets the right 4xx code and none a 5xx. The guid
 * is a live call, so a body that passed validation would reach the preconditions and answer otherwise.
 */
const emulators = useEmulators({ prefix: 'validation' });
let double: ControlDouble;
let guid: string;

beforeAll(async () => {
  configureApiEnv();
  const store = createConversationsStore({
    client: dynamoDbDocumentClient(),
    tableName: emulators().tables.conversations,
    retentionDays: 7,
  });
  double = await startControlDouble(store);
  guid = randomUUID();
  await double.openSession(guid);
});
afterAll(() => double.close());

const results: Called[] = [];
afterAll(() => {
  // The whole table: not one 5xx.
  expect(results.filter((r) => r.status >= 500)).toEqual([]);
  expect(results.length).toBeGreaterThanOrEqual(50);
});

async function send(handler: ApiHandler, options: Parameters<typeof call>[1]): Promise<Called> {
  const result = await call(handler, options);
  results.push(result);
  return result;
}

const G = '__GUID__';
const params = (p: Record<string, unknown>) => startBody(G, { autotranscribeParams: p });
const long = 'x'.repeat(256);

/** [name, raw body or JSON value, expected code, caller]. Raw strings are sent as is. */
const START_CASES: Array<[string, unknown, string, Caller?]> = [
  ['no body', undefined, '400-201'],
  ['empty body', '', '400-201'],
  ['whitespace body', '  \n ', '400-201'],
  ['truncated JSON', '{"namespace":"genesysaudiohook"', '400-201'],
  ['JSON string', '"start"', '400-201'],
  ['JSON number', '42', '400-201'],
  ['JSON array', '[]', '400-201'],
  ['JSON array of a body', JSON.stringify([startBody(G)]), '400-201'],
  ['JSON null', 'null', '400-201'],
  ['JSON true', 'true', '400-201'],
  ['trailing garbage', `${JSON.stringify(startBody(G))} x`, '400-201'],
  ['JavaScript literal: trailing comma', '{"namespace":"genesysaudiohook","guid":"__GUID__","customerId":"c","agentId":"a",}', '400-201'],
  ['JavaScript literal: single quotes', "{'namespace':'genesysaudiohook','guid':'__GUID__','customerId':'c','agentId':'a'}", '400-201'],
  ['JavaScript literal: unquoted keys', '{namespace:"genesysaudiohook",guid:"__GUID__",customerId:"c",agentId:"a"}', '400-201'],
  ['empty object', {}, '400-201'],
  ['namespace missing', { guid: G, customerId: 'c', agentId: 'a' }, '400-201'],
  ['namespace siprec', startBody(G, { namespace: 'siprec' }), '400-201'],
  ['namespace twilio', startBody(G, { namespace: 'twilio' }), '400-201'],
  ['namespace amazonconnect', startBody(G, { namespace: 'amazonconnect' }), '400-201'],
  ['namespace other case', startBody(G, { namespace: 'GenesysAudioHook' }), '400-201'],
  ['namespace empty', startBody(G, { namespace: '' }), '400-201'],
  ['namespace number', startBody(G, { namespace: 1 }), '400-201'],
  ['namespace null', startBody(G, { namespace: null }), '400-201'],
  ['guid missing', { namespace: 'genesysaudiohook', customerId: 'c', agentId: 'a' }, '400-201'],
  ['guid empty', startBody(''), '400-201'],
  ['guid blank', startBody('   '), '400-201'],
  ['guid number', startBody(G, { guid: 12345 }), '400-201'],
  ['guid null', startBody(G, { guid: null }), '400-201'],
  ['guid object', startBody(G, { guid: { id: G } }), '400-201'],
  ['guid array', startBody(G, { guid: [G] }), '400-201'],
  ['guid 256 characters', startBody(long), '400-201'],
  ['customerId missing', { namespace: 'genesysaudiohook', guid: G, agentId: 'a' }, '400-201'],
  ['customerId empty', startBody(G, { customerId: '' }), '400-201'],
  ['customerId number', startBody(G, { customerId: 42 }), '400-201'],
  ['customerId 256 characters', startBody(G, { customerId: long }), '400-201'],
  ['agentId missing', { namespace: 'genesysaudiohook', guid: G, customerId: 'c' }, '400-201'],
  ['agentId array', startBody(G, { agentId: ['a'] }), '400-201'],
  ['agentId boolean', startBody(G, { agentId: true }), '400-201'],
  ['agentId 256 characters', startBody(G, { agentId: long }), '400-201'],
  ['autotranscribeParams string', startBody(G, { autotranscribeParams: 'en-US' }), '400-201'],
  ['autotranscribeParams array', startBody(G, { autotranscribeParams: [] }), '400-201'],
  ['autotranscribeParams null', startBody(G, { autotranscribeParams: null }), '400-201'],
  ['language number', params({ language: 1 }), '400-201'],
  ['language null', params({ language: null }), '400-201'],
  ['language array', params({ language: ['en-US'] }), '400-201'],
  ['detailedToken string', params({ detailedToken: 'true', redactionOutput: 'unredacted' }), '400-201'],
  ['detailedToken number', params({ detailedToken: 1, redactionOutput: 'unredacted' }), '400-201'],
  ['audioRecordingAllowed string', params({ audioRecordingAllowed: 'yes' }), '400-201'],
  ['redactionOutput upper case', params({ redactionOutput: 'REDACTED' }), '400-201'],
  ['redactionOutput unknown', params({ redactionOutput: 'masked' }), '400-201'],
  ['redactionOutput null', params({ redactionOutput: null }), '400-201'],
  ['redactionOutput boolean', params({ redactionOutput: true }), '400-201'],
  ['siprecParams.mediaLineOrder unknown', startBody(G, { siprecParams: { mediaLineOrder: 'FIRST' } }), '400-201'],
  ['siprecParams string', startBody(G, { siprecParams: 'CUSTOMER_FIRST' }), '400-201'],
  ['twilioParams.trackMap.inbound unknown', startBody(G, { twilioParams: { trackMap: { inbound: 'caller' } } }), '400-201'],
  ['twilioParams.trackMap string', startBody(G, { twilioParams: { trackMap: 'inbound' } }), '400-201'],
  ['amazonConnectParams.startSelectorType unknown', startBody(G, { amazonConnectParams: { startSelectorType: 'LATER' } }), '400-201'],
  ['amazonConnectParams.streamArn number', startBody(G, { amazonConnectParams: { streamArn: 5 } }), '400-201'],
  ['field error before combination error', startBody(G, { namespace: 'siprec', autotranscribeParams: { language: 'fr-FR' } }), '400-201'],
  ['enum error before token rule', params({ redactionOutput: 'both', detailedToken: true }), '400-201'],
  ['language unsupported', params({ language: 'fr-FR' }), '400-202'],
  ['language empty', params({ language: '' }), '400-202'],
  ['language without region', params({ language: 'en' }), '400-202'],
  ['language with underscore', params({ language: 'en_US' }), '400-202'],
  ['detailedToken with default redaction', params({ detailedToken: true }), '400-202'],
  ['detailedToken with redacted', params({ detailedToken: true, redactionOutput: 'redacted' }), '400-202'],
  ['detailedToken with redacted_and_unredacted', params({ detailedToken: true, redactionOutput: 'redacted_and_unredacted' }), '400-202'],
  ['always-redact tenant asks unredacted', params({ redactionOutput: 'unredacted' }), '400-202', 'strict'],
  ['always-redact tenant asks both', params({ redactionOutput: 'redacted_and_unredacted' }), '400-202', 'strict'],
  ['redaction-off tenant, default output', startBody(G), '400-202', 'open'],
  ['redaction-off tenant asks redacted', params({ redactionOutput: 'redacted' }), '400-202', 'open'],
  ['redaction-off tenant asks both', params({ redactionOutput: 'redacted_and_unredacted' }), '400-202', 'open'],
  ['combination error before unknown call', startBody(randomUUID(), { autotranscribeParams: { language: 'de-DE' } }), '400-202'],
];

const STOP_CASES: Array<[string, unknown, string]> = [
  ['no body', undefined, '400-201'],
  ['not JSON', 'stop please', '400-201'],
  ['array', '[{"namespace":"genesysaudiohook"}]', '400-201'],
  ['guid missing', { namespace: 'genesysaudiohook' }, '400-201'],
  ['namespace missing', { guid: G }, '400-201'],
  ['namespace siprec', { namespace: 'siprec', guid: G }, '400-201'],
  ['guid number', { namespace: 'genesysaudiohook', guid: 7 }, '400-201'],
  ['guid 256 characters', { namespace: 'genesysaudiohook', guid: long }, '400-201'],
  ['guid blank', { namespace: 'genesysaudiohook', guid: ' ' }, '400-201'],
];

const withGuid = (body: unknown) =>
  typeof body === 'string'
    ? body.replaceAll(G, guid)
    : body === undefined
      ? undefined
      : JSON.parse(JSON.stringify(body).replaceAll(G, guid));

describe('start-streaming body validation', () => {
  it.each(START_CASES)('%s → %s', async (_name, body, code, caller = 'acme') => {
    const result = await send(start, { path: START_PATH, body: withGuid(body), as: caller });
    expectError(result, 400, code);
    expect(result.raw.body).not.toContain(guid); // no request value echoed
  });

  it('a valid body with unknown fields passes validation', async () => {
    const result = await send(start, {
      path: START_PATH,
      body: startBody(guid, { extra: { nested: true }, autotranscribeParams: { language: 'EN-us', future: 1 } }),
    });
    expect(result.status).toBe(200);
    expect(double.requests.at(-1)?.body).toMatchObject({ settings: { language: 'en-US' } });
    expect(double.requests.at(-1)?.body).not.toHaveProperty('extra');
    expect((await send(stop, { path: STOP_PATH, body: { namespace: 'genesysaudiohook', guid, extra: 1 } })).status).toBe(200);
  });

  it('tenant policies allow what they allow', async () => {
    const strict = await send(start, {
      path: START_PATH,
      body: startBody(guid, { autotranscribeParams: { redactionOutput: 'redacted' } }),
      as: 'strict',
    });
    expect(strict.status).toBe(200);
    expect((await send(stop, { path: STOP_PATH, body: { namespace: 'genesysaudiohook', guid }, as: 'strict' })).status).toBe(200);
    const open = await send(start, {
      path: START_PATH,
      body: startBody(guid, { autotranscribeParams: { redactionOutput: 'unredacted', detailedToken: true } }),
      as: 'open',
    });
    expect(open.status).toBe(200);
    expect(double.requests.at(-1)?.body).toMatchObject({
      tenant: 'open',
      settings: { redactionOutput: 'unredacted', detailedToken: true },
    });
    expect((await send(stop, { path: STOP_PATH, body: { namespace: 'genesysaudiohook', guid } })).status).toBe(200);
  });
});

describe('stop-streaming body validation', () => {
  it.each(STOP_CASES)('%s → %s', async (_name, body, code) => {
    expectError(await send(stop, { path: STOP_PATH, body: withGuid(body) }), 400, code);
  });
});

describe('headers: authentication', () => {
  const { acme, strict } = CREDENTIALS;
  const HEADER_CASES: Array<[string, Record<string, string>]> = [
    ['no credentials', {}],
    ['id only', { 'asapp-api-id': acme.id }],
    ['secret only', { 'asapp-api-secret': acme.secret }],
    ['wrong secret', { 'asapp-api-id': acme.id, 'asapp-api-secret': 'wrong' }],
    ['unknown id', { 'asapp-api-id': 'nobody', 'asapp-api-secret': acme.secret }],
    ['pairs crossed', { 'asapp-api-id': acme.id, 'asapp-api-secret': strict.secret }],
    ['empty values', { 'asapp-api-id': '', 'asapp-api-secret': '' }],
    ['secret with trailing space', { 'asapp-api-id': acme.id, 'asapp-api-secret': `${acme.secret} ` }],
    ['secret prefix', { 'asapp-api-id': acme.id, 'asapp-api-secret': acme.secret.slice(0, -1) }],
    ['secret longer', { 'asapp-api-id': acme.id, 'asapp-api-secret': `${acme.secret}0` }],
    ['id in another case', { 'asapp-api-id': acme.id.toUpperCase(), 'asapp-api-secret': acme.secret }],
    ['credentials in the wrong headers', { 'x-api-key': acme.id, authorization: acme.secret }],
  ];

  it.each(HEADER_CASES)('%s → 401-01 on every endpoint', async (_name, headers) => {
    for (const [handler, path, method] of [
      [start, START_PATH, 'POST'],
      [stop, STOP_PATH, 'POST'],
      [messages, MESSAGES_PATH, 'GET'],
    ] as const) {
      expectError(
        await send(handler, { method, path, body: startBody(guid), headers, as: null, query: { externalId: guid } }),
        401,
        '401-01',
      );
    }
  });

  it('authentication comes before body checks', async () => {
    expectError(await send(start, { path: START_PATH, body: '{', as: null }), 401, '401-01');
    expectError(await send(start, { path: START_PATH, body: 'x'.repeat(MAX_BODY_BYTES + 1), as: null }), 401, '401-01');
  });

  it('header names are case-insensitive, and multi-value headers are read', async () => {
    const mixed = await send(messages, {
      method: 'GET',
      path: MESSAGES_PATH,
      query: { externalId: guid },
      as: null,
      headers: { 'ASAPP-API-ID': acme.id, 'Asapp-Api-Secret': acme.secret },
    });
    expect(mixed.status).toBe(200);
    const event = await send(messages, {
      method: 'GET',
      path: MESSAGES_PATH,
      query: { externalId: guid },
      as: null,
      headers: { 'asapp-api-id': [acme.id], 'asapp-api-secret': ['old', acme.secret] },
    });
    expect(event.status).toBe(200);
  });
});

describe('body size', () => {
  it('above 64 KiB → 413-01 on every endpoint', async () => {
    const big = JSON.stringify({ ...startBody(guid), padding: 'x'.repeat(MAX_BODY_BYTES) });
    expectError(await send(start, { path: START_PATH, body: big }), 413, '413-01');
    expectError(await send(stop, { path: STOP_PATH, body: big }), 413, '413-01');
    expectError(await send(messages, { method: 'GET', path: MESSAGES_PATH, body: big }), 413, '413-01');
    expectError(await send(start, { path: START_PATH, body: big, base64: true }), 413, '413-01');
  });

  it('exactly 64 KiB is accepted (counted in bytes, not characters)', async () => {
    const body = startBody(guid, { autotranscribeParams: { language: 'fr-FR' } });
    const base = Buffer.byteLength(JSON.stringify({ ...body, padding: '' }));
    const exact = JSON.stringify({ ...body, padding: 'x'.repeat(MAX_BODY_BYTES - base) });
    expect(Buffer.byteLength(exact)).toBe(MAX_BODY_BYTES);
    expectError(await send(start, { path: START_PATH, body: exact }), 400, '400-202');
    // 'é' is two bytes: fewer characters than the limit, more bytes.
    const multibyte = JSON.stringify({ ...body, padding: 'é'.repeat(MAX_BODY_BYTES / 2) });
    expect(multibyte.length).toBeLessThan(MAX_BODY_BYTES + 100);
    expectError(await send(start, { path: START_PATH, body: multibyte }), 413, '413-01');
  });

  it('a base64-encoded body is decoded', async () => {
    const result = await send(start, {
      path: START_PATH,
      body: startBody(guid, { autotranscribeParams: { language: 'xx-XX' } }),
      base64: true,
    });
    expectError(result, 400, '400-202');
  });
});

describe('messages request validation', () => {
  const MESSAGE_CASES: Array<[string, Parameters<typeof call>[1]]> = [
    ['no externalId', { method: 'GET', path: MESSAGES_PATH }],
    ['empty externalId', { method: 'GET', path: MESSAGES_PATH, query: { externalId: '' } }],
    ['blank externalId', { method: 'GET', path: MESSAGES_PATH, query: { externalId: '  ' } }],
    ['externalId 256 characters', { method: 'GET', path: MESSAGES_PATH, query: { externalId: long } }],
    ['other parameter only', { method: 'GET', path: MESSAGES_PATH, query: { conversationId: 'abc' } }],
    ['body fallback: not JSON', { method: 'GET', path: MESSAGES_PATH, body: 'externalId=abc' }],
    ['body fallback: number', { method: 'GET', path: MESSAGES_PATH, body: { externalId: 5 } }],
    ['body fallback: array', { method: 'GET', path: MESSAGES_PATH, body: [{ externalId: 'abc' }] }],
    ['body fallback: field missing', { method: 'GET', path: MESSAGES_PATH, body: { guid: 'abc' } }],
  ];
  it.each(MESSAGE_CASES)('%s → 400-01', async (_name, options) => {
    expectError(await send(messages, options), 400, '400-01');
  });
});
