import { z } from 'zod';
import { ASAPP_ROUTES } from '#core/contract/routes.ts';
import type { Principal } from '../api/auth.ts';
import { ApiError } from '../api/errors.ts';
import type { FeedConfig } from '../daily-export/config.ts';
import {
  FEED_FORMATS,
  FEED_NAME,
  FEED_VERSION,
  feedRoot,
  intervalName,
  isFeedFormat,
  type FeedFormat,
} from '../daily-export/feed-layout.ts';
import { isListedDate } from '../daily-export/retention.ts';
import { fileKey, listDates, listFiles, listHours, type CatalogBucket } from './feed-catalog.ts';
import { parseFeedBody, parseFeedRequest, type FeedField, type FeedRequest } from './params.ts';

/**
 * The seven File Exporter endpoints (docs/api-contract.md §5.1). Responses echo request fields as received
 * and list bare values, intervals as `hr=HH`; keys are in the contract's order.
 */
export const FEED_OPERATIONS = [
  'listfeeds',
  'listfeedversions',
  'listfeedformats',
  'listfeeddates',
  'listfeedintervals',
  'listfeedfiles',
  'getfeedfile',
] as const;
export type FeedOperation = (typeof FEED_OPERATIONS)[number];

/** The fields each operation requires and accepts (in contract order). */
export const FEED_OPERATION_FIELDS: Record<FeedOperation, { required: FeedField[]; optional: FeedField[] }> = {
  listfeeds: { required: [], optional: [] },
  listfeedversions: { required: ['feed'], optional: [] },
  listfeedformats: { required: ['feed', 'version'], optional: [] },
  listfeeddates: { required: ['feed', 'version', 'format'], optional: [] },
  listfeedintervals: { required: ['feed', 'version', 'format', 'date'], optional: [] },
  listfeedfiles: { required: ['feed', 'version', 'format', 'date'], optional: ['interval'] },
  getfeedfile: { required: ['feed', 'version', 'format', 'date', 'fileName'], optional: ['interval'] },
};

/** Each operation's 200 body; request fields are echoed as received, keys in contract order. */
const names = z.array(z.string());
const echoed = { feed: z.string(), version: z.string(), format: z.string(), date: z.string() };
export const FEED_RESPONSE_SCHEMAS = {
  listfeeds: z.object({ feeds: names }).meta({ id: 'ListFeedsResponse' }),
  listfeedversions: z.object({ feed: echoed.feed, versions: names }).meta({ id: 'ListFeedVersionsResponse' }),
  listfeedformats: z.object({ feed: echoed.feed, version: echoed.version, formats: names }).meta({ id: 'ListFeedFormatsResponse' }),
  listfeeddates: z
    .object({ feed: echoed.feed, version: echoed.version, format: echoed.format, dates: names })
    .meta({ id: 'ListFeedDatesResponse' }),
  listfeedintervals: z
    .object({ ...echoed, intervals: names.meta({ description: 'Hours with files, as `hr=HH`.' }) })
    .meta({ id: 'ListFeedIntervalsResponse' }),
  listfeedfiles: z
    .object({
      ...echoed,
      interval: z.string().optional().meta({ description: 'Echoed when the request named one.' }),
      files: names.meta({ description: 'File names; prefixed by `hr=HH/` when no interval was named.' }),
    })
    .meta({ id: 'ListFeedFilesResponse' }),
  getfeedfile: z.object({ url: z.string().meta({ description: 'Presigned download URL.' }) }).meta({ id: 'GetFeedFileResponse' }),
} satisfies Record<FeedOperation, z.ZodType>;
type FeedResponse<O extends FeedOperation> = z.infer<(typeof FEED_RESPONSE_SCHEMAS)[O]>;

export interface FeedDeps {
  bucket: CatalogBucket;
  config: Pick<FeedConfig, 'retentionDays' | 'urlExpirySeconds' | 'tenantPrefix'>;
  now(): number;
}

/** The route's path with its `{operation}` captured (the route has no other pattern character). */
const PATH = new RegExp(`${ASAPP_ROUTES.fileExporter.replace('{operation}', '([^/]+)')}/*$`);

/** The endpoint a request path names, with or without a trailing slash; undefined for anything else. */
export function feedOperationOf(path: string | undefined): FeedOperation | undefined {
  return feedOperationNamed(PATH.exec(path ?? '')?.[1]);
}

/** The endpoint an `{operation}` path parameter names; undefined for anything else. */
export function feedOperationNamed(name: string | undefined): FeedOperation | undefined {
  return (FEED_OPERATIONS as readonly string[]).includes(name ?? '') ? (name as FeedOperation) : undefined;
}

export async function runFeedOperation(
  operation: FeedOperation,
  rawBody: string | undefined,
  principal: Principal,
  deps: FeedDeps,
): Promise<FeedResponse<FeedOperation>> {
  const body = parseFeedBody(rawBody);
  const parse = (op: FeedOperation) =>
    known(parseFeedRequest(body, FEED_OPERATION_FIELDS[op].required, FEED_OPERATION_FIELDS[op].optional));
  const root = deps.config.tenantPrefix ? feedRoot(principal.tenant) : '';
  switch (operation) {
    case 'listfeeds':
      return { feeds: [FEED_NAME] } satisfies FeedResponse<'listfeeds'>;

    case 'listfeedversions': {
      const { feed } = parse(operation);
      return { feed: feed.raw, versions: [FEED_VERSION] } satisfies FeedResponse<'listfeedversions'>;
    }

    case 'listfeedformats': {
      const { feed, version } = parse(operation);
      return { feed: feed.raw, version: version!.raw, formats: [...FEED_FORMATS] } satisfies FeedResponse<'listfeedformats'>;
    }

    case 'listfeeddates': {
      const request = parse(operation);
      const dates = (await listDates(deps.bucket, root, request.formatName!)).filter((d) =>
        isListedDate(d, deps.now(), deps.config.retentionDays),
      );
      return { ...echo(request), dates } satisfies FeedResponse<'listfeeddates'>;
    }

    case 'listfeedintervals': {
      const request = parse(operation);
      const hours = listedDate(request, deps) ? await listHours(deps.bucket, root, request.formatName!, request.date!.value) : [];
      if (hours.length === 0) throw new ApiError('404-01', 'no files for this date');
      return { ...echo(request), date: request.date!.raw, intervals: hours.map(intervalName) } satisfies FeedResponse<'listfeedintervals'>;
    }

    case 'listfeedfiles': {
      const request = parse(operation);
      const hour = request.interval?.hour;
      const files = listedDate(request, deps) ? await listFiles(deps.bucket, root, request.formatName!, request.date!.value, hour) : [];
      if (files.length === 0) throw new ApiError('404-01', hour === undefined ? 'no files for this date' : 'no files for this interval');
      const names = files.map((f) => (hour === undefined ? `${intervalName(f.hour)}/${f.name}` : f.name));
      return {
        ...echo(request),
        date: request.date!.raw,
        ...(request.interval ? { interval: request.interval.raw } : {}),
        files: names,
      } satisfies FeedResponse<'listfeedfiles'>;
    }

    case 'getfeedfile': {
      const request = parse(operation);
      const key = listedDate(request, deps)
        ? fileKey(root, request.formatName!, request.date!.value, request.fileName!.value, request.interval?.hour)
        : undefined;
      if (!key || !(await deps.bucket.exists(key))) throw new ApiError('404-01', 'no such file');
      return { url: await deps.bucket.presignGet(key, deps.config.urlExpirySeconds) } satisfies FeedResponse<'getfeedfile'>;
    }
  }
}

type KnownRequest = FeedRequest & { feed: NonNullable<FeedRequest['feed']>; formatName?: FeedFormat };

/** 404-01 for a well-formed feed, version or format this service does not produce. */
function known(request: FeedRequest): KnownRequest {
  if (request.feed?.value !== FEED_NAME) throw new ApiError('404-01', 'unknown feed');
  if (request.version && request.version.value !== FEED_VERSION) throw new ApiError('404-01', 'unknown version');
  if (request.format && !isFeedFormat(request.format.value)) throw new ApiError('404-01', 'unknown format');
  return { ...request, feed: request.feed, formatName: request.format?.value as FeedFormat | undefined };
}

/** Dates older than the retention period are hidden even while lifecycle expiry has not yet removed them. */
function listedDate(request: FeedRequest, deps: FeedDeps): boolean {
  return isListedDate(request.date!.value, deps.now(), deps.config.retentionDays);
}

/** feed, version and format as received, in contract order (the operations that echo them require all three). */
function echo(request: KnownRequest): { feed: string; version: string; format: string } {
  return { feed: request.feed.raw, version: request.version!.raw, format: request.format!.raw };
}
