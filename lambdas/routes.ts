import { decodePathSegment } from '#core/http/request-target.ts';

/**
 * The public HTTP API: which Lambda serves which route. The CDK stack declares these resources on API
 * Gateway and the local runtime routes real HTTP requests with the same table, so the two cannot
 * drift. Every path is also served with a trailing slash (api-contract.md §1.3).
 */

export type ApiLambda =
  | 'start-streaming'
  | 'stop-streaming'
  | 'conversation-messages'
  | 'conversation-recordings'
  | 'file-exporter'
  | 'console'
  | 'custom-vocabularies';

export interface ApiRoute {
  method: 'GET' | 'POST' | 'DELETE';
  /** API Gateway resource path; `{name}` is a path parameter. */
  resource: string;
  lambda: ApiLambda;
  /** Who may call it: the ASAPP credential pair in the Lambda, or a console user (docs/console.md). */
  auth: 'asapp' | 'console';
}

/** Where the console's page is served (locally by the API server, in AWS by CloudFront) and its API prefix. */
export const CONSOLE_PATH = '/console';
export const CONSOLE_API_PREFIX = '/console/v1';

/** The console's own routes, beside (not in) the ASAPP contract; one Lambda serves them all. */
export const CONSOLE_ROUTES = {
  liveCalls: '/console/v1/live-calls',
  health: '/console/v1/conversations/{conversationId}/health',
  messages: '/console/v1/conversations/{conversationId}/messages',
  startStreaming: '/console/v1/start-streaming',
  stopStreaming: '/console/v1/stop-streaming',
  files: '/console/v1/files/{operation}',
} as const;

export const CUSTOM_VOCABULARIES_PATH = '/configuration/v1/auto-transcribe/custom-vocabularies';

export const API_ROUTES: readonly ApiRoute[] = [
  { method: 'POST', resource: '/mg-autotranscribe/v1/start-streaming', lambda: 'start-streaming', auth: 'asapp' },
  { method: 'POST', resource: '/mg-autotranscribe/v1/stop-streaming', lambda: 'stop-streaming', auth: 'asapp' },
  { method: 'GET', resource: '/conversation/v1/conversation/messages', lambda: 'conversation-messages', auth: 'asapp' },
  { method: 'GET', resource: '/conversation/v1/conversation/recordings', lambda: 'conversation-recordings', auth: 'asapp' },
  { method: 'POST', resource: '/fileexporter/v1/static/{operation}', lambda: 'file-exporter', auth: 'asapp' },
  { method: 'GET', resource: CUSTOM_VOCABULARIES_PATH, lambda: 'custom-vocabularies', auth: 'asapp' },
  { method: 'POST', resource: CUSTOM_VOCABULARIES_PATH, lambda: 'custom-vocabularies', auth: 'asapp' },
  { method: 'GET', resource: `${CUSTOM_VOCABULARIES_PATH}/{customVocabularyId}`, lambda: 'custom-vocabularies', auth: 'asapp' },
  { method: 'DELETE', resource: `${CUSTOM_VOCABULARIES_PATH}/{customVocabularyId}`, lambda: 'custom-vocabularies', auth: 'asapp' },
  { method: 'GET', resource: CONSOLE_ROUTES.liveCalls, lambda: 'console', auth: 'console' },
  { method: 'GET', resource: CONSOLE_ROUTES.health, lambda: 'console', auth: 'console' },
  { method: 'GET', resource: CONSOLE_ROUTES.messages, lambda: 'console', auth: 'console' },
  { method: 'POST', resource: CONSOLE_ROUTES.startStreaming, lambda: 'console', auth: 'console' },
  { method: 'POST', resource: CONSOLE_ROUTES.stopStreaming, lambda: 'console', auth: 'console' },
  { method: 'POST', resource: CONSOLE_ROUTES.files, lambda: 'console', auth: 'console' },
];

export interface RouteMatch {
  route: ApiRoute;
  pathParameters: Record<string, string> | null;
}

/** The route for a request path (with or without a trailing slash), as API Gateway would choose it. */
export function matchRoute(method: string, path: string): RouteMatch | undefined {
  const segments = path.replace(/\/+$/, '').split('/');
  for (const route of API_ROUTES) {
    if (route.method !== method.toUpperCase()) continue;
    const pattern = route.resource.split('/');
    if (pattern.length !== segments.length) continue;
    const parameters: Record<string, string> = {};
    const matches = pattern.every((part, i) => {
      const param = /^\{(\w+)\}$/.exec(part);
      if (param) {
        const value = decodePathSegment(segments[i]);
        if (value === undefined || value === '') return false;
        parameters[param[1]] = value;
        return true;
      }
      return part === segments[i];
    });
    if (matches) return { route, pathParameters: Object.keys(parameters).length > 0 ? parameters : null };
  }
  return undefined;
}
