import { beforeAll, describe, expect, it, vi } from 'vitest';
import { dynamoDbDocumentClient } from '#core/aws/clients.ts';
import { createVocabularyStore } from '#core/stores/vocabulary.ts';
import { tenantVocabulary } from '#core/vocabulary/tenant-vocabulary.ts';
import { synthesize } from '#bench/support/flite.ts';
import { encodeMulaw } from '#gateway/audio/mulaw.ts';
import { createEmbeddedRecognizer } from '#gateway/recognition/embedded/embedded-recognizer.ts';
import type { RecognitionListener, RecognitionOptions, Recognizer } from '#gateway/recognition/recognizer.ts';
import { AudioHookClient } from '#local/simulator/client.ts';
import { startTestGateway } from '#test/support/gateway.ts';
import { handler } from '#lambdas/custom-vocabularies/handler.ts';
import { CUSTOM_VOCABULARIES_PATH } from '#core/contract/routes.ts';
import { apiGatewayEvent, lambdaContext } from '#test/support/apigw-event.ts';
import { useEmulators } from '#test/support/emulators.ts';
import { authHeaders, configureApiEnv, type Caller } from './api-test-kit.ts';

/**
 * The custom-vocabulary routes of ASAPP's Configuration API through the real handler and DynamoDB
 * (emulated): create → 201 with the stored item and its id, get, paged list with cursors both ways,
 * delete → 204, per tenant, validation 400s and 404s in the error envelope, authentication.
 */
const emulators = useEmulators({ prefix: 'vocabulary' });
beforeAll(() => configureApiEnv());

async function send(method: string, options: { id?: string; body?: unknown; query?: Record<string, string>; as?: Caller | null } = {}) {
  const { as = 'acme' } = options;
  const path = options.id === undefined ? CUSTOM_VOCABULARIES_PATH : `${CUSTOM_VOCABULARIES_PATH}/${options.id}`;
  const event = apiGatewayEvent({
    method,
    path,
    query: options.query,
    headers: as ? authHeaders(as) : {},
    body: options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
  });
  event.resource = options.id === undefined ? CUSTOM_VOCABULARIES_PATH : `${CUSTOM_VOCABULARIES_PATH}/{customVocabularyId}`;
  event.pathParameters = options.id === undefined ? null : { customVocabularyId: options.id };
  const raw = await handler(event, lambdaContext());
  return { status: raw.statusCode, body: raw.body ? JSON.parse(raw.body) : undefined };
}

describe('custom vocabularies', () => {
  it('creates (201, stored item with a system id), gets, lists and deletes (204) an entry', async () => {
    const created = await send('POST', { body: { phrase: 'IEEE', soundsLike: ['I triple E', '  eye  triple e '] }, as: 'strict' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ phrase: 'IEEE', soundsLike: ['I triple E', 'eye triple e'] });
    expect(created.body.id).toMatch(/^[0-9A-Z]{26}$/);
    expect(Date.parse(created.body.createdAt)).not.toBeNaN();
    const got = await send('GET', { id: created.body.id, as: 'strict' });
    expect(got).toEqual({ status: 200, body: created.body });
    const list = await send('GET', { as: 'strict' });
    expect(list).toEqual({ status: 200, body: { customVocabularies: [created.body], nextCursor: null, prevCursor: null } });
    expect((await send('DELETE', { id: created.body.id, as: 'strict' })).status).toBe(204);
    expect((await send('GET', { id: created.body.id, as: 'strict' })).status).toBe(404);
    expect((await send('DELETE', { id: created.body.id, as: 'strict' })).status).toBe(404);
  });

  it('keeps tenants apart', async () => {
    const created = await send('POST', { body: { phrase: 'Zelle', soundsLike: ['zell'] }, as: 'open' });
    expect((await send('GET', { id: created.body.id, as: 'acme' })).status).toBe(404);
    expect((await send('DELETE', { id: created.body.id, as: 'acme' })).status).toBe(404);
    expect((await send('GET', { as: 'acme' })).body.customVocabularies.map((v: { id: string }) => v.id)).not.toContain(created.body.id);
  });

  it('pages 20 by default, pageSize on request, with next and previous cursors', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 25; i++)
      ids.push(
        (await send('POST', { body: { phrase: `Product ${i}`, soundsLike: [`product number ${i % 10}`.replace(/\d/, 'x')] } })).body.id,
      );
    const first = await send('GET');
    expect(first.body.customVocabularies.map((v: { id: string }) => v.id)).toEqual(ids.slice(0, 20));
    expect(first.body.prevCursor).toBeNull();
    const second = await send('GET', { query: { cursor: first.body.nextCursor } });
    expect(second.body.customVocabularies.map((v: { id: string }) => v.id)).toEqual(ids.slice(20));
    expect(second.body.nextCursor).toBeNull();
    const back = await send('GET', { query: { cursor: second.body.prevCursor, pageSize: '20' } });
    expect(back.body.customVocabularies.map((v: { id: string }) => v.id)).toEqual(ids.slice(0, 20));
    expect(back.body.prevCursor).toBeNull();
    const small = await send('GET', { query: { pageSize: '7' } });
    expect(small.body.customVocabularies).toHaveLength(7);
    expect(small.body.nextCursor).not.toBeNull();
  });

  it.each([
    ['no body', undefined],
    ['not JSON', '{'],
    ['no phrase', { soundsLike: ['a'] }],
    ['empty phrase', { phrase: '  ' }],
    ['phrase too long', { phrase: 'x'.repeat(101) }],
    ['phrase with markup', { phrase: '<b>IEEE</b>' }],
    ['soundsLike not a list', { phrase: 'IEEE', soundsLike: 'I triple E' }],
    ['soundsLike with digits', { phrase: 'IEEE', soundsLike: ['I 3 E'] }],
    ['too many soundsLike', { phrase: 'IEEE', soundsLike: Array.from({ length: 11 }, () => 'eye') }],
  ])('answers 400-01 in the error envelope for %s', async (_name, body) => {
    const result = await send('POST', { body });
    expect(result.status).toBe(400);
    expect(result.body.error).toMatchObject({ code: '400-01' });
    expect(Object.keys(result.body.error)).toEqual(['requestId', 'message', 'code']);
  });

  it.each([['0'], ['101'], ['ten']])('refuses pageSize %s and an invalid cursor with 400-01', async (pageSize) => {
    expect((await send('GET', { query: { pageSize } })).body.error.code).toBe('400-01');
    expect((await send('GET', { query: { cursor: 'not-a-cursor' } })).body.error.code).toBe('400-01');
  });

  it('answers 401-01 without credentials', async () => {
    expect((await send('GET', { as: null })).status).toBe(401);
    expect((await send('POST', { body: { phrase: 'IEEE' }, as: null })).status).toBe(401);
  });
});

/** An engine that hears the same words in every span, once the first 0.4 s of the customer arrive. */
class SaysZell implements Recognizer {
  open(_options: RecognitionOptions, listener: RecognitionListener) {
    let heard = 0;
    return {
      write(role: 'customer' | 'agent', pcm: Int16Array, startSample: number) {
        if (role !== 'customer') return;
        if (heard < 3_200 && (heard += pcm.length) >= 3_200)
          listener.onResult({ role, text: 'i sent it with zell', startMs: startSample / 8, endMs: startSample / 8 + 400 });
      },
      end: async () => undefined,
    };
  }
  async close() {}
}

describe('custom vocabulary in calls', () => {
  it("applies the tenant's entries to calls that start after the change, through the real gateway", async () => {
    const store = createVocabularyStore({ client: dynamoDbDocumentClient(), tableName: emulators().tables.vocabulary });
    const gw = await startTestGateway({
      recognizer: new SaysZell(),
      vocabulary: async (tenant) => tenantVocabulary(await store.all(tenant, 1000)),
    });
    const settings = {
      detailedToken: false,
      redactionOutput: 'redacted',
      audioRecordingAllowed: false,
      customerId: 'C',
      agentId: 'A',
    } as const;
    const run = async (tenant: string) => {
      const c = new AudioHookClient(gw.clientOptions);
      await c.start();
      gw.server.calls.find(c.conversationId)!.startTranscription({ settings, tenant });
      for (let i = 0; i < 3; i++) c.sendAudio(new Uint8Array(3_200).fill(0xff));
      await c.close();
      return gw.utterances.find((u) => u.conversationId === c.conversationId.toLowerCase())!.rawText;
    };
    try {
      expect(await run('acme')).toBe('I sent it with zell.');
      expect((await send('POST', { body: { phrase: 'Zelle', soundsLike: ['zell'] } })).status).toBe(201);
      expect(await run('acme')).toBe('I sent it with Zelle.');
      // Another tenant's calls are untouched.
      expect(await run('strict')).toBe('I sent it with zell.');
    } finally {
      await gw.close();
    }
  });

  it("teaches the embedded engine the tenant's phrases, through the real gateway, from the next call on", async () => {
    const store = createVocabularyStore({ client: dynamoDbDocumentClient(), tableName: emulators().tables.vocabulary });
    const recognizer = await createEmbeddedRecognizer({ decoders: 1 });
    const gw = await startTestGateway({ recognizer, vocabulary: async (tenant) => tenantVocabulary(await store.all(tenant, 1000)) });
    // The customer says it (flite), the agent is silent: stereo µ-law frames of 200 ms.
    const speech = synthesize('Please cancel my Zentrio subscription today.', 'rms');
    const customer = encodeMulaw(new Int16Array([...new Int16Array(4_000), ...speech, ...new Int16Array(8_000)]));
    const frames: Uint8Array[] = [];
    for (let at = 0; at < customer.length; at += 1_600) {
      const part = customer.subarray(at, at + 1_600);
      const frame = new Uint8Array(part.length * 2).fill(0xff);
      part.forEach((byte, i) => (frame[2 * i] = byte));
      frames.push(frame);
    }
    const run = async (tenant: string) => {
      const c = new AudioHookClient(gw.clientOptions);
      await c.start();
      gw.server.calls.find(c.conversationId)!.startTranscription({
        settings: { detailedToken: false, redactionOutput: 'unredacted', audioRecordingAllowed: false, customerId: 'C', agentId: 'A' },
        tenant,
      });
      for (const frame of frames) c.sendAudio(frame);
      await c.close();
      // Finals decoded after the stop's flush budget are still recorded: wait for the call's one.
      const said = () => gw.utterances.filter((u) => u.conversationId === c.conversationId.toLowerCase()).map((u) => u.rawText);
      await vi.waitFor(() => expect(said()).not.toEqual([]), { timeout: 30_000, interval: 100 });
      return said().join(' ');
    };
    try {
      expect(await run('acme')).not.toContain('Zentrio');
      expect((await send('POST', { body: { phrase: 'Zentrio', soundsLike: ['zen tree oh'] } })).status).toBe(201);
      expect(await run('acme')).toContain('Zentrio');
      expect(await run('strict')).not.toContain('Zentrio');
    } finally {
      await gw.close();
      await recognizer.close();
    }
  }, 120_000);
});
