import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openApiDocument } from '#core/api/openapi.ts';
import { API_ROUTES } from '#core/contract/routes.ts';
import { openApiProblems, responseChecker, webhookChecker } from '#test/support/openapi.ts';

/**
 * The OpenAPI document generated from the route table and the handlers' zod schemas: valid OpenAPI 3.1,
 * exactly the routes of the table, and committed as docs/openapi.json in its current form.
 */
const document = openApiDocument();
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

describe('OpenAPI document', () => {
  it('is valid OpenAPI 3.1', async () => {
    expect(document.openapi).toBe('3.1.0');
    expect(await openApiProblems(document)).toBeUndefined();
  });

  it('has every route of the table, and no other', () => {
    const documented = Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
      Object.keys(item ?? {})
        .filter((key) => METHODS.includes(key))
        .map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(documented.sort()).toEqual(API_ROUTES.map((r) => `${r.method} ${r.resource}`).sort());
  });

  it('asks each route for the credentials the route takes, and documents its answers with the error envelope', () => {
    for (const route of API_ROUTES) {
      const operation = (document.paths as any)[route.resource][route.method.toLowerCase()];
      expect(operation.security).toEqual(route.auth === 'asapp' ? [{ asappApiId: [], asappApiSecret: [] }] : [{ consoleUser: [] }]);
      for (const [status, response] of Object.entries<any>(operation.responses)) {
        if (Number(status) >= 400)
          expect(response.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/ErrorEnvelope' });
      }
      expect(operation.responses['401']).toBeDefined();
    }
  });

  it('checks answers against the schemas: a conforming one passes, a stray field or a wrong type does not', () => {
    const check = responseChecker(document as never);
    const route = { method: 'GET', resource: '/conversation/v1/conversation/messages' } as const;
    const item = {
      text: 'hello',
      sender: { role: 'agent', externalId: null },
      messageId: 'm',
      createdTimestamp: 't',
      clientTimestamp: 't',
    };
    expect(check(route, 200, { items: [item] })).toBeUndefined();
    expect(check(route, 200, { items: [{ ...item, extra: 1 }] })).toMatch(/additional/);
    expect(check(route, 200, { items: [{ ...item, sender: { role: 'caller', externalId: null } }] })).toMatch(/allowed values/);
    expect(check(route, 400, { error: { requestId: 'r', message: 'Bad request', code: '400-01' } })).toBeUndefined();
    expect(check(route, 400, { error: { requestId: 'r', message: 'Bad request', code: '400-99' } })).toMatch(/allowed values/);
    expect(check(route, 418, {})).toMatch(/not documented/);
  });

  it('describes the webhook POST to the customer, strictly enough to refuse a stray field', () => {
    const check = webhookChecker(document);
    const body = {
      type: 'transcript',
      externalConversationId: 'c',
      streamId: 's',
      sender: { externalId: 'A-1', role: 'agent' },
      autotranscribeResponse: { message: 'transcript', start: 0, end: 900, utterance: [{ text: 'hello' }] },
    };
    expect(check(body)).toBeUndefined();
    expect(check({ ...body, extra: true })).toMatch(/additional/);
    expect(check({ ...body, sender: { externalId: 'A-1', role: 'caller' } })).toMatch(/allowed values/);
  });

  it('is committed as docs/openapi.json as generated (npm run openapi)', () => {
    expect(JSON.parse(readFileSync('docs/openapi.json', 'utf8'))).toEqual(JSON.parse(JSON.stringify(document)));
  });
});
