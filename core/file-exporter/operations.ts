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
import { parseFeedBody, parseFeedRequest, type FeedRequest } from './params.ts';

/**
 * The seven File Exporter endpoints (docs/api-contract.md §5.1). Responses echo request fields as received
 * and list bare values, intervals as `hr=HH`; keys are in the contract's order.
 */
const FEED_OPERATIONS = [
  'listfeeds',
  'listfeedversions',
  'listfeedformats',
  'listfeeddates',
  'listfeedintervals',
  'listfeedfiles',
  'getfeedfile',
] as const;
export type FeedOperation = (typeof FEED_OPERATIONS)[number];

export interface FeedDeps {
  bucket: CatalogBucket;
  config: Pick<FeedConfig, 'retentionDays' | 'urlExpirySeconds' | 'tenantPrefix'>;
  now(): number;
}

const PATH = /\/fileexporter\/v1\/static\/([^/]+)\/*$/;

/** The endpoint a request path names, with or without a trailing slash; undefined for anything else. */
export function feedOperationOf(path: string | undefined): FeedOperation | undefined {
  const name = PATH.exec(path ?? '')?.[1];
  return (FEED_OPERATIONS as readonly string[]).includes(name ?? '') ? (name as FeedOperation) : undefined;
}

export async function runFeedOperation(
  operation: FeedOperation,
  rawBody: string | undefined,
  principal: Principal,
  deps: FeedDeps,
): Promise<unknown> {
  const body = parseFeedBody(rawBody);
  const root = deps.config.tenantPrefix ? feedRoot(principal.tenant) : '';
  switch (operation) {
    case 'listfeeds':
      return { feeds: [FEED_NAME] };

    case 'listfeedversions': {
      const { feed } = known(parseFeedRequest(body, ['feed']));
      return { feed: feed.raw, versions: [FEED_VERSION] };
    }

    case 'listfeedformats': {
      const { feed, version } = known(parseFeedRequest(body, ['feed', 'version']));
      return { feed: feed.raw, version: version!.raw, formats: [...FEED_FORMATS] };
    }

    case 'listfeeddates': {
      const request = known(parseFeedRequest(body, ['feed', 'version', 'format']));
      const dates = (await listDates(deps.bucket, root, request.formatName!)).filter((d) =>
        isListedDate(d, deps.now(), deps.config.retentionDays),
      );
      return { ...echo(request, ['feed', 'version', 'format']), dates };
    }

    case 'listfeedintervals': {
      const request = known(parseFeedRequest(body, ['feed', 'version', 'format', 'date']));
      const hours = listedDate(request, deps) ? await listHours(deps.bucket, root, request.formatName!, request.date!.value) : [];
      if (hours.length === 0) throw new ApiError('404-01', 'no files for this date');
      return { ...echo(request, ['feed', 'version', 'format', 'date']), intervals: hours.map(intervalName) };
    }

    case 'listfeedfiles': {
      const request = known(parseFeedRequest(body, ['feed', 'version', 'format', 'date'], ['interval']));
      const hour = request.interval?.hour;
      const files = listedDate(request, deps) ? await listFiles(deps.bucket, root, request.formatName!, request.date!.value, hour) : [];
      if (files.length === 0) throw new ApiError('404-01', hour === undefined ? 'no files for this date' : 'no files for this interval');
      const names = files.map((f) => (hour === undefined ? `${intervalName(f.hour)}/${f.name}` : f.name));
      return { ...echo(request, ['feed', 'version', 'format', 'date', 'interval']), files: names };
    }

    case 'getfeedfile': {
      const request = known(parseFeedRequest(body, ['feed', 'version', 'format', 'date', 'fileName'], ['interval']));
      const key = listedDate(request, deps)
        ? fileKey(root, request.formatName!, request.date!.value, request.fileName!.value, request.interval?.hour)
        : undefined;
      if (!key || !(await deps.bucket.exists(key))) throw new ApiError('404-01', 'no such file');
      return { url: await deps.bucket.presignGet(key, deps.config.urlExpirySeconds) };
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

/** The request's own fields, as received and in contract order; `interval` only when it was sent. */
function echo(request: FeedRequest, fields: ReadonlyArray<'feed' | 'version' | 'format' | 'date' | 'interval'>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const field of fields) {
    const parameter = request[field];
    if (parameter) out[field] = parameter.raw;
  }
  return out;
}
