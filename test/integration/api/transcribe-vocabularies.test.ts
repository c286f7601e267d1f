import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TranscribeClient } from '@aws-sdk/client-transcribe';
import { logger } from '#core/logger.ts';
import { createCustomVocabulariesHandler } from '#lambdas/custom-vocabularies/handler.ts';
import { CUSTOM_VOCABULARIES_PATH, CUSTOM_VOCABULARY_STATUS_PATH } from '#core/contract/routes.ts';
import { createApiRuntime, type ApiRuntime } from '#lambdas/shared/runtime.ts';
import { VocabularyDirectory } from '#gateway/recognition/transcribe/vocabulary-directory.ts';
import { transcribePhrases, vocabularyVersionName } from '#core/vocabulary/transcribe-vocabulary.ts';
import { apiGatewayEvent, lambdaContext } from '#test/support/apigw-event.ts';
import { useEmulators } from '#test/support/emulators.ts';
import { TranscribeControlPlane } from '#test/support/transcribe-control-plane.ts';
import { authHeaders, configureApiEnv } from './api-test-kit.ts';

/**
 * Custom vocabularies copied into Amazon Transcribe: the real handler and SDK against a server speaking
 * Transcribe's JSON protocol (test/support/transcribe-control-plane.ts; no emulator of this API exists).
 * A change creates the list's new version without waiting for it to build, the status route shows the
 * state, a Transcribe failure never fails the change, old versions go an hour after a new one is
 * current, and the gateway names a version only once Transcribe reports it READY.
 */
useEmulators({ prefix: 'transcribe-vocabulary' });

let plane: TranscribeControlPlane;
let runtime: ApiRuntime;
let clock = Date.parse('2026-12-07T00:00:00Z');
const now = () => clock;
let savedEndpoint: string | undefined;

beforeAll(async () => {
  configureApiEnv();
  plane = await TranscribeControlPlane.start();
  plane.now = now;
  savedEndpoint = process.env.AWS_ENDPOINT_URL_TRANSCRIBE;
  process.env.AWS_ENDPOINT_URL_TRANSCRIBE = plane.url;
  runtime = createApiRuntime({ ...process.env, TRANSCRIBE_VOCABULARIES: 'true' }, { clock: { now } });
});

afterAll(async () => {
  if (savedEndpoint === undefined) delete process.env.AWS_ENDPOINT_URL_TRANSCRIBE;
  else process.env.AWS_ENDPOINT_URL_TRANSCRIBE = savedEndpoint;
  await plane?.close();
});

const handler = createCustomVocabulariesHandler(() => runtime);

async function send(method: string, resource: string, options: { id?: string; body?: unknown } = {}) {
  const path = options.id === undefined ? resource : `${resource}/${options.id}`;
  const event = apiGatewayEvent({
    method,
    path,
    headers: authHeaders('acme'),
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  event.resource = options.id === undefined ? resource : `${resource}/{customVocabularyId}`;
  event.pathParameters = options.id === undefined ? null : { customVocabularyId: options.id };
  const raw = await handler(event, lambdaContext());
  return { status: raw.statusCode, body: raw.body ? JSON.parse(raw.body) : undefined };
}

const status = async () => (await send('GET', CUSTOM_VOCABULARY_STATUS_PATH)).body as { engine: string; vocabularies: any[] };
const english = async () => (await status()).vocabularies.find((v) => v.language === 'en-US');

describe('custom vocabularies in Amazon Transcribe', () => {
  it('creates the new version on a change without waiting for it, and shows its state until READY', async () => {
    expect(await status()).toEqual({
      engine: 'amazon-transcribe',
      vocabularies: [
        { language: 'en-US', state: 'NONE', vocabularyName: null, phrases: 0, failureReason: null },
        { language: 'es-US', state: 'NONE', vocabularyName: null, phrases: 0, failureReason: null },
      ],
    });
    const created = await send('POST', CUSTOM_VOCABULARIES_PATH, { body: { phrase: 'Zendesk', soundsLike: ['zen desk'] } });
    expect(created.status).toBe(201);
    const name = vocabularyVersionName('acme', 'en-US', ['Zendesk', 'zen-desk'])!;
    expect(plane.vocabularies.get(name)).toMatchObject({
      LanguageCode: 'en-US',
      VocabularyState: 'PENDING',
      Phrases: ['Zendesk', 'zen-desk'],
    });
    expect(await english()).toEqual({ language: 'en-US', state: 'PENDING', vocabularyName: name, phrases: 2, failureReason: null });

    plane.build();
    expect(await english()).toMatchObject({ state: 'READY', vocabularyName: name });
    // A phrase outside a language's alphabet is left out of that language, never sent to fail the build.
    expect(transcribePhrases([{ phrase: '3M', soundsLike: ['three m'] }], 'en-US')).toEqual(['three-m']);
  });

  it('never fails a change because of Transcribe; the status route shows the error and creates the version later', async () => {
    plane.outage = true;
    const created = await send('POST', CUSTOM_VOCABULARIES_PATH, { body: { phrase: 'IEEE', soundsLike: ['I triple E'] } });
    expect(created.status).toBe(201);
    expect(await english()).toMatchObject({ state: 'ERROR', failureReason: expect.stringMatching(/ServiceUnavailable/) });
    plane.outage = false;
    const current = await english();
    expect(current).toMatchObject({ state: 'PENDING', phrases: 4 });
    expect(plane.vocabularies.has(current.vocabularyName)).toBe(true);
  });

  it('deletes older versions only once the current one has been current for an hour', async () => {
    const englishVersions = () => [...plane.vocabularies.values()].filter((v) => v.LanguageCode === 'en-US').map((v) => v.VocabularyName);
    const current = (await english()).vocabularyName;
    expect(englishVersions()).toHaveLength(2);
    clock += 30 * 60_000;
    await english();
    expect(englishVersions()).toHaveLength(2);
    clock += 31 * 60_000;
    await english();
    expect(englishVersions()).toEqual([current]);
  });

  it('shows a build Transcribe failed with its reason', async () => {
    const current = (await english()).vocabularyName;
    plane.fail(current, 'phrase not in the alphabet');
    expect(await english()).toMatchObject({ state: 'FAILED', failureReason: 'phrase not in the alphabet' });
  });
});

describe('the gateway side', () => {
  it('names a version only once it is READY, never waiting: the first look-up of a tenant goes without', async () => {
    const entries = [{ phrase: 'Kubernetes', soundsLike: ['cooper net ease'] }];
    const directory = new VocabularyDirectory({
      client: new TranscribeClient({ maxAttempts: 1 }),
      entries: async () => entries,
      languages: ['en-US', 'es-US'],
      logger,
      now,
    });
    expect(directory.nameFor('gw', 'en-US')).toBeUndefined();
    await directory.refresh('gw');
    // Not created yet: nothing to name.
    expect(directory.nameFor('gw', 'en-US')).toBeUndefined();
    const statuses = await runtime.engineSync!(
      'gw',
      entries.map((e, i) => ({ ...e, id: String(i), createdAt: '' })),
    );
    const name = statuses.find((s) => s.language === 'en-US')!.vocabularyName!;
    const spanish = statuses.find((s) => s.language === 'es-US')!.vocabularyName!;
    await directory.refresh('gw');
    expect(directory.nameFor('gw', 'en-US')).toBeUndefined();
    plane.build();
    await directory.refresh('gw');
    expect(directory.nameFor('gw', 'en-US')).toBe(name);
    expect(directory.nameFor('gw', 'es-US')).toBe(spanish);
    expect(spanish).not.toBe(name);
    // A check is trusted for 10 minutes at most (old versions live an hour longer than that).
    plane.outage = true;
    clock += 11 * 60_000;
    expect(directory.nameFor('gw', 'en-US')).toBeUndefined();
    plane.outage = false;
  });
});
