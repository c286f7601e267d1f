import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  API_ROUTES,
  ASAPP_ROUTES,
  CONSOLE_ROUTES,
  CUSTOM_VOCABULARIES_PATH,
  CUSTOM_VOCABULARY_STATUS_PATH,
  OPENAPI_PATH,
  RECORDINGS_PATH,
} from '#core/contract/routes.ts';
import { DEV_API_ID, DEV_API_SECRET } from '#local/dev-credentials.ts';
import { simulateCall } from '#local/simulator/simulate-call.ts';
import { loadCallAudio, type CallAudio } from '#local/simulator/wav-source.ts';
import type { LocalSystem } from '#local/system.ts';
import { audiohookConnection, EMBEDDED_EXACT, startTestSystem } from '#test/support/local-system.ts';
import type { WebhookBody } from '#core/webhook/body.ts';
import { openApiProblems, responseChecker, webhookChecker } from '#test/support/openapi.ts';

/**
 * The OpenAPI document as `npm start` serves it, and the system's real answers held against it: every
 * route of the table is called on the running local system (a transcribed call, the after-call reads,
 * the File Exporter, custom vocabularies, the console) and each answer, errors included, must validate
 * against the schema the document gives its status; so must every webhook body the call produced.
 */

type Route = { method: 'GET' | 'POST' | 'DELETE'; resource: string };

let system: LocalSystem;
let audio: CallAudio;
let check: ReturnType<typeof responseChecker>;
let checkWebhook: ReturnType<typeof webhookChecker>;
/** What the built-in webhook receiver got. */
const delivered: WebhookBody[] = [];
const exercised = new Set<string>();
const problems: string[] = [];

beforeAll(async () => {
  system = await startTestSystem({ ...EMBEDDED_EXACT, LIVE_PUBLISH_INTERVAL_MS: '250' }, { onTranscript: (body) => delivered.push(body) });
  const full = loadCallAudio('samples/sample-call.wav');
  // The first 16 s of the sample call: a few turns each way.
  audio = { ...full, mulaw: full.mulaw.subarray(0, 16 * 8000 * full.channels) };
}, 60_000);

afterAll(async () => {
  await system?.stop();
});

/** Calls `route` at `path` and checks the answer against the document; returns status and body. */
async function call(route: Route, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any }> {
  const auth = API_ROUTES.find((r) => r.method === route.method && r.resource === route.resource)?.auth;
  const res = await fetch(`${system.urls.api}${path}`, {
    method: route.method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(auth === 'asapp' ? { 'asapp-api-id': DEV_API_ID, 'asapp-api-secret': DEV_API_SECRET } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const parsed = text === '' ? undefined : JSON.parse(text);
  exercised.add(`${route.method} ${route.resource}`);
  const problem = check(route, res.status, parsed);
  if (problem) problems.push(`${route.method} ${path} → ${res.status}: ${problem}`);
  return { status: res.status, body: parsed };
}

const asapp = (method: Route['method'], resource: string): Route => ({ method, resource });

describe('OpenAPI document on the local system', () => {
  it('is served at OPENAPI_PATH, valid, and the same as docs/openapi.json', async () => {
    expect(system.urls.openApi).toBe(`${system.urls.api}${OPENAPI_PATH}`);
    const res = await fetch(system.urls.openApi);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    const document = (await res.json()) as Parameters<typeof responseChecker>[0];
    expect(await openApiProblems(document)).toBeUndefined();
    expect(document).toEqual(JSON.parse(readFileSync('docs/openapi.json', 'utf8')));
    check = responseChecker(document);
    checkWebhook = webhookChecker(document);
  });

  it('describes the answers of every route: a transcribed call, the after-call reads, files, vocabularies, the console', async () => {
    const start = asapp('POST', ASAPP_ROUTES.startStreaming);
    const stop = asapp('POST', ASAPP_ROUTES.stopStreaming);
    const messages = asapp('GET', ASAPP_ROUTES.messages);
    let guid = '';
    await simulateCall({
      ...audiohookConnection(system),
      speed: 2,
      audio,
      afterOpened: async (client) => {
        guid = client.conversationId;
        const started = await call(start, start.resource, {
          namespace: 'genesysaudiohook',
          guid,
          customerId: 'C-1',
          agentId: 'A-1',
          autotranscribeParams: { audioRecordingAllowed: true },
        });
        expect(started.status).toBe(200);
        expect((await call(start, start.resource, { namespace: 'genesysaudiohook', guid, customerId: 'C-1', agentId: 'A-1' })).status).toBe(
          409,
        );
        // The gateway publishes its live view a moment after the call opens.
        const liveCalls = { method: 'GET', resource: CONSOLE_ROUTES.liveCalls } as const;
        for (let tries = 0; tries < 100; tries++) {
          if ((await call(liveCalls, CONSOLE_ROUTES.liveCalls)).body.calls.some((c: any) => c.conversationId === guid.toLowerCase())) break;
          await new Promise((r) => setTimeout(r, 100));
        }
        expect((await call(liveCalls, CONSOLE_ROUTES.liveCalls)).body.calls.length).toBeGreaterThan(0);
      },
      beforeClose: async () => {
        const stopped = await call(stop, stop.resource, { namespace: 'genesysaudiohook', guid });
        expect(stopped.status).toBe(200);
        expect(stopped.body.autotranscribeResponse.customer.summary.totalAudioBytes).toBeGreaterThan(0);
      },
    });
    const id = guid.toLowerCase();

    // After the call: its utterances, its recording, and the console's views of it.
    const read = await call(messages, `${messages.resource}?externalId=${encodeURIComponent(guid)}`);
    expect(read.status).toBe(200);
    expect(read.body.items.length).toBeGreaterThan(0);
    // Every utterance also went to the webhook, in the shape the document gives its `webhooks` entry.
    for (let tries = 0; tries < 200 && delivered.length < read.body.items.length; tries++) await new Promise((r) => setTimeout(r, 100));
    expect(delivered.length).toBe(read.body.items.length);
    for (const body of delivered) expect(checkWebhook(body)).toBeUndefined();
    expect((await call(messages, messages.resource)).status).toBe(400);
    expect((await call(messages, `${messages.resource}?externalId=x`, undefined, { 'asapp-api-secret': 'wrong' })).status).toBe(401);
    const recordings = asapp('GET', RECORDINGS_PATH);
    expect((await call(recordings, `${RECORDINGS_PATH}?externalId=${encodeURIComponent(guid)}`)).status).toBe(200);
    const health = { method: 'GET', resource: CONSOLE_ROUTES.health } as const;
    expect((await call(health, CONSOLE_ROUTES.health.replace('{conversationId}', id))).status).toBe(200);
    expect((await call(health, CONSOLE_ROUTES.health.replace('{conversationId}', 'no-such-call'))).status).toBe(404);
    const consoleMessages = { method: 'GET', resource: CONSOLE_ROUTES.messages } as const;
    const page = await call(consoleMessages, CONSOLE_ROUTES.messages.replace('{conversationId}', id));
    expect(page.body.items.length).toBeGreaterThan(0);
    expect((await call(consoleMessages, `${CONSOLE_ROUTES.messages.replace('{conversationId}', id)}?limit=0`)).status).toBe(400);
    const consoleStart = { method: 'POST', resource: CONSOLE_ROUTES.startStreaming } as const;
    expect((await call(consoleStart, CONSOLE_ROUTES.startStreaming, { guid: '' })).status).toBe(400);
    const consoleStop = { method: 'POST', resource: CONSOLE_ROUTES.stopStreaming } as const;
    expect((await call(consoleStop, CONSOLE_ROUTES.stopStreaming, { namespace: 'genesysaudiohook', guid: 'no-such-call' })).status).toBe(
      400,
    );
    expect((await call(stop, stop.resource, { namespace: 'genesysaudiohook' })).status).toBe(400);

    // The File Exporter, through both its routes.
    const files = asapp('POST', ASAPP_ROUTES.fileExporter);
    expect((await call(files, ASAPP_ROUTES.fileExporter.replace('{operation}', 'listfeeds'))).status).toBe(200);
    expect(
      (await call(files, ASAPP_ROUTES.fileExporter.replace('{operation}', 'listfeedformats'), { feed: 'utterances', version: '1' })).status,
    ).toBe(200);
    const dates = { feed: 'utterances', version: '1', format: 'jsonl' };
    expect((await call(files, ASAPP_ROUTES.fileExporter.replace('{operation}', 'listfeeddates'), dates)).status).toBe(200);
    expect(
      (await call(files, ASAPP_ROUTES.fileExporter.replace('{operation}', 'listfeedintervals'), { ...dates, date: '2020-01-01' })).status,
    ).toBe(404);
    const consoleFiles = { method: 'POST', resource: CONSOLE_ROUTES.files } as const;
    expect((await call(consoleFiles, CONSOLE_ROUTES.files.replace('{operation}', 'listfeedversions'), { feed: 'utterances' })).status).toBe(
      200,
    );
    expect((await call(consoleFiles, CONSOLE_ROUTES.files.replace('{operation}', 'listfeedversions'), { feed: 7 })).status).toBe(400);

    // Custom vocabularies: create, list, read, the engine's status, delete.
    const create = asapp('POST', CUSTOM_VOCABULARIES_PATH);
    const created = await call(create, CUSTOM_VOCABULARIES_PATH, { phrase: 'Acme Cloud', soundsLike: ['acme cloud'] });
    expect(created.status).toBe(201);
    expect((await call(create, CUSTOM_VOCABULARIES_PATH, { phrase: '' })).status).toBe(400);
    expect((await call(asapp('GET', CUSTOM_VOCABULARIES_PATH), `${CUSTOM_VOCABULARIES_PATH}?pageSize=5`)).status).toBe(200);
    const one = asapp('GET', `${CUSTOM_VOCABULARIES_PATH}/{customVocabularyId}`);
    expect((await call(one, `${CUSTOM_VOCABULARIES_PATH}/${created.body.id}`)).status).toBe(200);
    expect((await call(asapp('GET', CUSTOM_VOCABULARY_STATUS_PATH), CUSTOM_VOCABULARY_STATUS_PATH)).status).toBe(200);
    const remove = asapp('DELETE', `${CUSTOM_VOCABULARIES_PATH}/{customVocabularyId}`);
    expect((await call(remove, `${CUSTOM_VOCABULARIES_PATH}/${created.body.id}`)).status).toBe(204);
    expect((await call(remove, `${CUSTOM_VOCABULARIES_PATH}/${created.body.id}`)).status).toBe(404);

    expect(problems).toEqual([]);
    expect([...exercised].sort()).toEqual(API_ROUTES.map((r) => `${r.method} ${r.resource}`).sort());
  }, 120_000);
});
