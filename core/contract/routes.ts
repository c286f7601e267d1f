/**
 * The public HTTP API (docs/api-contract.md): which Lambda serves which route. The CDK stack declares
 * these resources on API Gateway and the local runtime routes real HTTP requests with the same table
 * (local/route-matcher.ts), so the two cannot drift.
 * Every path is also served with a trailing slash.
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

/** The ASAPP-compatible routes (same paths as ASAPP's API, so a client switches by changing the host). */
export const ASAPP_ROUTES = {
  startStreaming: '/mg-autotranscribe/v1/start-streaming',
  stopStreaming: '/mg-autotranscribe/v1/stop-streaming',
  messages: '/conversation/v1/conversation/messages',
  fileExporter: '/fileexporter/v1/static/{operation}',
} as const;

/** Our own: a call's recordings (beside the ASAPP paths, under the same prefix as its messages). */
export const RECORDINGS_PATH = '/conversation/v1/conversation/recordings';

/** The OpenAPI document of these routes (core/api/openapi.ts), served by the local runtime's API server. */
export const OPENAPI_PATH = '/openapi.json';

export const CUSTOM_VOCABULARIES_PATH = '/configuration/v1/auto-transcribe/custom-vocabularies';
/** The engines' copies of a tenant's list (ours, beside ASAPP's routes): docs in README "Custom vocabulary". */
export const CUSTOM_VOCABULARY_STATUS_PATH = '/configuration/v1/auto-transcribe/custom-vocabulary-status';

export const API_ROUTES: readonly ApiRoute[] = [
  { method: 'POST', resource: ASAPP_ROUTES.startStreaming, lambda: 'start-streaming', auth: 'asapp' },
  { method: 'POST', resource: ASAPP_ROUTES.stopStreaming, lambda: 'stop-streaming', auth: 'asapp' },
  { method: 'GET', resource: ASAPP_ROUTES.messages, lambda: 'conversation-messages', auth: 'asapp' },
  { method: 'GET', resource: RECORDINGS_PATH, lambda: 'conversation-recordings', auth: 'asapp' },
  { method: 'POST', resource: ASAPP_ROUTES.fileExporter, lambda: 'file-exporter', auth: 'asapp' },
  { method: 'GET', resource: CUSTOM_VOCABULARIES_PATH, lambda: 'custom-vocabularies', auth: 'asapp' },
  { method: 'GET', resource: CUSTOM_VOCABULARY_STATUS_PATH, lambda: 'custom-vocabularies', auth: 'asapp' },
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
