import { beforeAll, describe, expect, it } from 'vitest';
import { apiGatewayEvent, lambdaContext } from '#test/support/apigw-event.ts';
import { useEmulators } from '#test/support/emulators.ts';
import { authHeaders, expectError } from '../api/api-test-kit.ts';
import { FEED_PATH, feedCall, feedWorld, ok, storeUtterance, type FeedWorld } from './support/feed-kit.ts';

/** The seven File Exporter endpoints over a small exported day: parameter forms, echo rules, errors. */
useEmulators({ s3: true, prefix: 'fileexp' });

const DAY = '2026-11-24';
const NOW = Date.parse('2026-11-25T10:00:00Z');
let world: FeedWorld;

beforeAll(async () => {
  world = await feedWorld({ now: NOW, env: { FEED_URL_EXPIRY_SECONDS: '' } });
  let i = 0;
  for (const time of ['2026-11-24T09:15:00.000Z', '2026-11-24T13:00:00.000Z', '2026-11-24T13:30:00.000Z']) {
    await storeUtterance(world.messages, time, { guid: `call-${i}` }, i++);
  }
  await world.exporter.exportDay(DAY);
});

const base = { feed: 'utterances', version: '1', format: 'jsonl' };

describe('parameter forms and echo (docs/api-contract.md §5.2)', () => {
  it.each([
    ['bare', undefined],
    ['empty object', {}],
    ['empty string', ''],
    ['unknown fields', { colour: 'blue' }],
  ])('listfeeds with %s', async (_, body) => {
    const result = await feedCall(world, 'listfeeds', body);
    expect({ status: result.status, body: result.body }).toEqual({ status: 200, body: { feeds: ['utterances'] } });
    expect(result.raw.body).toBe('{"feeds":["utterances"]}');
  });

  it.each([false, true])('every endpoint answers with and without a trailing slash (slash: %s)', async (slash) => {
    expect((await feedCall(world, 'listfeeds', {}, { slash })).status).toBe(200);
    expect((await feedCall(world, 'listfeedfiles', { ...base, date: DAY }, { slash })).status).toBe(200);
    expect((await feedCall(world, 'getfeedfile', { ...base, date: DAY, fileName: 'hr=09/part-0000.jsonl' }, { slash })).status).toBe(200);
  });

  it.each([
    ['utterances', 'utterances'],
    ['feed=utterances', 'feed=utterances'],
  ])('listfeedversions echoes feed %j', async (feed, echoed) => {
    expect((await feedCall(world, 'listfeedversions', { feed })).raw.body).toBe(`{"feed":"${echoed}","versions":["1"]}`);
  });

  it.each([
    ['1', '1'],
    ['version=1', 'version=1'],
  ])('listfeedformats echoes version %j and lists bare formats', async (version) => {
    const result = await feedCall(world, 'listfeedformats', { feed: 'feed=utterances', version });
    expect(result.raw.body).toBe(`{"feed":"feed=utterances","version":"${version}","formats":["jsonl","csv"]}`);
  });

  it.each(['jsonl', 'format=jsonl', 'csv', 'format=csv'])('listfeeddates with format %j lists bare dates', async (format) => {
    const body = await ok(world, 'listfeeddates', { feed: 'utterances', version: 'version=1', format });
    expect(Object.keys(body)).toEqual(['feed', 'version', 'format', 'dates']);
    expect(body).toEqual({ feed: 'utterances', version: 'version=1', format, dates: [DAY] });
  });

  it.each([DAY, `dt=${DAY}`])('listfeedintervals with date %j lists hr=HH intervals', async (date) => {
    const body = await ok(world, 'listfeedintervals', { ...base, date });
    expect(Object.keys(body)).toEqual(['feed', 'version', 'format', 'date', 'intervals']);
    expect(body).toEqual({ ...base, date, intervals: ['hr=09', 'hr=13'] });
  });

  it('listfeedfiles without interval lists the whole day with interval-prefixed names and no interval key', async () => {
    const body = await ok(world, 'listfeedfiles', { ...base, format: 'format=csv', date: `dt=${DAY}` });
    expect(Object.keys(body)).toEqual(['feed', 'version', 'format', 'date', 'files']);
    expect(body.files).toEqual(['hr=09/part-0000.csv', 'hr=13/part-0000.csv']);
  });

  it.each(['13', 'hr=13'])('listfeedfiles with interval %j echoes it and lists bare names', async (interval) => {
    const body = await ok(world, 'listfeedfiles', { ...base, date: DAY, interval });
    expect(Object.keys(body)).toEqual(['feed', 'version', 'format', 'date', 'interval', 'files']);
    expect(body).toMatchObject({ interval, files: ['part-0000.jsonl'] });
  });

  it.each([
    ['bare name with interval', { fileName: 'part-0000.jsonl', interval: '13' }],
    ['bare name with hr= interval', { fileName: 'part-0000.jsonl', interval: 'hr=13' }],
    ['prefixed name without interval', { fileName: 'hr=13/part-0000.jsonl' }],
    ['prefixed name with the same interval', { fileName: 'hr=13/part-0000.jsonl', interval: '13' }],
    ['`file` alias', { file: 'hr=13/part-0000.jsonl' }],
    [
      'key=value everywhere',
      {
        feed: 'feed=utterances',
        version: 'version=1',
        format: 'format=jsonl',
        date: `dt=${DAY}`,
        interval: 'hr=13',
        fileName: 'part-0000.jsonl',
      },
    ],
  ])('getfeedfile: %s → a presigned URL for the same file', async (_, fields) => {
    const body = await ok(world, 'getfeedfile', { ...base, date: DAY, ...fields });
    expect(Object.keys(body)).toEqual(['url']);
    const url = new URL(body.url);
    expect(decodeURIComponent(url.pathname)).toBe(`/${world.bucket}/utterances/version=1/format=jsonl/dt=${DAY}/hr=13/part-0000.jsonl`);
    const text = await (await fetch(body.url)).text();
    expect(
      text
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l).hr),
    ).toEqual(['13', '13']);
  });

  it('signs a plain GET (host header only) valid for FEED_URL_EXPIRY_SECONDS, 900 by default', async () => {
    const { url } = await ok(world, 'getfeedfile', { ...base, date: DAY, fileName: 'hr=09/part-0000.jsonl' });
    const params = new URL(url).searchParams;
    expect(params.get('X-Amz-Expires')).toBe('900');
    expect(params.get('X-Amz-SignedHeaders')).toBe('host');
    expect(params.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');

    const short = await feedWorld({ now: NOW, env: { FEED_URL_EXPIRY_SECONDS: '60', EXPORT_BUCKET: world.bucket } });
    const shortUrl = (await ok(short, 'getfeedfile', { ...base, date: DAY, fileName: 'hr=09/part-0000.jsonl' })).url;
    expect(new URL(shortUrl).searchParams.get('X-Amz-Expires')).toBe('60');
  });
});

describe('errors (docs/api-contract.md §1.2, §5.1)', () => {
  it.each([
    ['no credentials', null, {}],
    ['wrong secret', undefined, { 'asapp-api-id': 'acme-app', 'asapp-api-secret': 'nope' }],
  ])('401-01 with %s', async (_, as, headers) => {
    const event = apiGatewayEvent({
      path: `${FEED_PATH}/listfeeds`,
      body: {},
      headers: as === null ? headers : { ...authHeaders(), ...headers },
    });
    const raw = await world.fileExporter(event, lambdaContext());
    expectError({ status: raw.statusCode, body: JSON.parse(raw.body), raw, requestId: event.requestContext.requestId }, 401, '401-01');
  });

  it.each([
    ['listfeedversions', {}, 'missing feed'],
    ['listfeedformats', { feed: 'utterances' }, 'missing version'],
    ['listfeeddates', { feed: 'utterances', version: '1' }, 'missing format'],
    ['listfeedintervals', base, 'missing date'],
    ['listfeedfiles', base, 'missing date'],
    ['getfeedfile', { ...base, date: DAY }, 'missing fileName'],
    ['listfeedversions', { feed: 42 }, 'number for feed'],
    ['listfeedformats', { feed: 'utterances', version: 1 }, 'number for version'],
    ['listfeedformats', { feed: 'utterances', version: 'v=1' }, 'malformed version'],
    ['listfeeddates', { ...base, format: 'json lines' }, 'malformed format'],
    ['listfeedintervals', { ...base, date: '24-11-2026' }, 'malformed date'],
    ['listfeedintervals', { ...base, date: '2026-02-30' }, 'impossible date'],
    ['listfeedfiles', { ...base, date: DAY, interval: '24' }, 'hour out of range'],
    ['listfeedfiles', { ...base, date: DAY, interval: 'hr=01/mi=01' }, 'sub-hour interval'],
    ['getfeedfile', { ...base, date: DAY, fileName: '' }, 'empty fileName'],
    ['listfeeds', 'not json', 'malformed JSON'],
    ['listfeedversions', '["utterances"]', 'array body'],
  ])('%s → 400-01 (%s)', async (endpoint: string, body: unknown, _why: string) => {
    expectError(await feedCall(world, endpoint, body), 400, '400-01');
  });

  it.each([
    ['listfeedversions', { feed: 'staging_utterance_state' }, 'unknown feed'],
    ['listfeedformats', { feed: 'utterances', version: '2' }, 'unknown version'],
    ['listfeeddates', { ...base, format: 'parquet' }, 'unknown format'],
    ['listfeedintervals', { ...base, date: '2026-11-22' }, 'date without files'],
    ['listfeedfiles', { ...base, date: '2026-11-22' }, 'date without files'],
    ['listfeedfiles', { ...base, date: DAY, interval: '10' }, 'interval without files'],
    ['getfeedfile', { ...base, date: DAY, fileName: 'part-0001.jsonl', interval: '13' }, 'unknown part'],
    ['getfeedfile', { ...base, date: DAY, fileName: 'part-0000.jsonl' }, 'bare name without interval'],
    ['getfeedfile', { ...base, date: DAY, fileName: 'hr=13/part-0000.jsonl', interval: '09' }, 'name and interval disagree'],
    ['getfeedfile', { ...base, date: DAY, fileName: 'hr=13/part-0000.csv' }, 'name of the other format'],
    ['getfeedfile', { ...base, date: DAY, fileName: '../../../etc/passwd' }, 'path outside the feed'],
    ['getfeedfile', { ...base, date: '2026-10-01', fileName: 'hr=13/part-0000.jsonl' }, 'date outside retention'],
    ['listfeedsomething', {}, 'unknown route'],
  ])('%s → 404-01 (%s)', async (endpoint: string, body: unknown, _why: string) => {
    expectError(await feedCall(world, endpoint, body), 404, '404-01');
  });

  it('listfeeddates of a format without files is an empty list, not an error', async () => {
    const empty = await feedWorld({ now: NOW });
    expect(await ok(empty, 'listfeeddates', base)).toEqual({ ...base, dates: [] });
  });
});
