import { z } from 'zod';
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject, type ZodOpenApiResponsesObject } from 'zod-openapi';
import {
  API_ROUTES,
  ASAPP_ROUTES,
  CONSOLE_ROUTES,
  CUSTOM_VOCABULARIES_PATH,
  CUSTOM_VOCABULARY_STATUS_PATH,
  RECORDINGS_PATH,
  type ApiRoute,
} from '#core/contract/routes.ts';
import { STREAM_STATUS_DESCRIPTIONS } from '#core/contract/status-codes.ts';
import {
  conversationIdSchema,
  consoleMessagesQuerySchema,
  healthResponseSchema,
  messagesAfterResponseSchema,
} from '../console/conversation.ts';
import { liveCallsResponseSchema } from '../console/live-calls.ts';
import { FEED_OPERATION_FIELDS, FEED_OPERATIONS, FEED_RESPONSE_SCHEMAS } from '../file-exporter/operations.ts';
import { feedRequestSchema } from '../file-exporter/params.ts';
import { customVocabularyItemSchema, newVocabularyItemSchema } from '../vocabulary/custom-vocabulary.ts';
import { customVocabulariesListSchema, customVocabulariesQuerySchema, customVocabularyStatusSchema } from './custom-vocabularies.ts';
import { ERROR_CODES, type ErrorCode } from '#core/contract/error-codes.ts';
import { errorEnvelopeSchema } from './errors.ts';
import { externalIdQuerySchema, messagesResponseSchema } from './get-messages.ts';
import { recordingsResponseSchema } from './get-recordings.ts';
import { CREDENTIAL_HEADERS } from './request-authorizer.ts';
import { startStreamingResponseSchema, stopStreamingResponseSchema } from './responses.ts';
import { startStreamingRequestSchema, stopStreamingRequestSchema } from './streaming-request.ts';
import { webhookBodySchema } from '../webhook/body.ts';

/**
 * The OpenAPI 3.1 document of the public HTTP API (docs/api-contract.md), generated from the route
 * table (core/contract/routes.ts) and the zod schemas the handlers parse requests with and derive their
 * response types from. `npm start` serves it at OPENAPI_PATH; `npm run openapi` writes docs/openapi.json.
 */

interface OperationSpec {
  summary: string;
  description?: string;
  /** docs/api-contract.md section (or page) that specifies the route. */
  see: string;
  request?: {
    body?: z.ZodType;
    query?: z.ZodObject;
    path?: z.ZodObject;
  };
  /** The success answer; `schema` is absent for 204. */
  success: { status: 200 | 201 | 204; description: string; schema?: z.ZodType };
  /** Codes the route's own handler may answer, beside those every route may (COMMON_ERRORS). */
  errors: ErrorCode[];
}

/** What any route may answer: authentication, the body limit, API Gateway's throttling and timeouts. */
const COMMON_ERRORS: ErrorCode[] = ['401-01', '413-01', '429-01', '503-01'];

const streamingErrors: ErrorCode[] = ['400-201', '400-202', '400-203', '409-201', '409-202', '409-203', '500-201'];
const stopErrors: ErrorCode[] = ['400-201', '400-203', '409-201', '409-202', '409-203', '500-201'];

const conversationPath = z.object({ conversationId: conversationIdSchema });
const vocabularyPath = z.object({ customVocabularyId: z.string().min(1).meta({ description: 'The `id` the create answered.' }) });

const feedOperationsTable = FEED_OPERATIONS.map((op) => {
  const { required, optional } = FEED_OPERATION_FIELDS[op];
  const fields = [...required.map((f) => `\`${f}\``), ...optional.map((f) => `\`${f}\` (optional)`)];
  return `- \`${op}\`: ${fields.length > 0 ? fields.join(', ') : 'no fields'}`;
}).join('\n');
const feedPath = z.object({ operation: z.enum(FEED_OPERATIONS).meta({ description: 'The File Exporter operation.' }) });
const allFeedFields = [
  ...new Set(FEED_OPERATIONS.flatMap((op) => [...FEED_OPERATION_FIELDS[op].required, ...FEED_OPERATION_FIELDS[op].optional])),
];
const feedBody = feedRequestSchema([], allFeedFields).meta({
  id: 'FeedRequest',
  description: `The fields each operation requires (others are ignored):\n${feedOperationsTable}`,
});
const feedResponse = z.union(FEED_OPERATIONS.map((op) => FEED_RESPONSE_SCHEMAS[op])).meta({
  description: "The answer of the path's operation (`listfeeds` → ListFeedsResponse, …, `getfeedfile` → GetFeedFileResponse).",
});

const startStreaming = (who: string): OperationSpec => ({
  summary: `Start transcribing a call's participants${who}`,
  description: `The call must be connected to the gateway (its AudioHook session open). Per-participant status codes: ${Object.entries(
    STREAM_STATUS_DESCRIPTIONS,
  )
    .map(([code, description]) => `${code} ${description}`)
    .join('; ')}.`,
  see: 'docs/api-contract.md §2.1–2.3',
  request: { body: startStreamingRequestSchema },
  success: {
    status: 200,
    description: 'Each participant started or not (isOk false when one did not).',
    schema: startStreamingResponseSchema,
  },
  errors: streamingErrors,
});
const stopStreaming = (who: string): OperationSpec => ({
  summary: `Stop transcribing a call${who}`,
  see: 'docs/api-contract.md §2.4',
  request: { body: stopStreamingRequestSchema },
  success: { status: 200, description: "The span's per-participant summary.", schema: stopStreamingResponseSchema },
  errors: stopErrors,
});
const fileExporter = (who: string): OperationSpec => ({
  summary: `File Exporter: list and fetch the daily utterances feed${who}`,
  see: 'docs/api-contract.md §5',
  request: { path: feedPath, body: feedBody },
  success: { status: 200, description: 'The operation’s listing, or a presigned URL for getfeedfile.', schema: feedResponse },
  errors: ['400-01', '404-01', '500-01'],
});
const BY_CONSOLE = ' (console, on the operator’s behalf)';

/** Every route of API_ROUTES, keyed `METHOD resource`. */
const OPERATIONS: Record<string, OperationSpec> = {
  [`POST ${ASAPP_ROUTES.startStreaming}`]: startStreaming(''),
  [`POST ${ASAPP_ROUTES.stopStreaming}`]: stopStreaming(''),
  [`GET ${ASAPP_ROUTES.messages}`]: {
    summary: "A call's utterances after the call",
    description: 'The externalId may also come as a GET body `{"externalId": …}` when the query has none.',
    see: 'docs/api-contract.md §4',
    request: { query: externalIdQuerySchema },
    success: { status: 200, description: 'The utterances, in spoken order.', schema: messagesResponseSchema },
    errors: ['400-01', '500-01'],
  },
  [`GET ${RECORDINGS_PATH}`]: {
    summary: "A call's recordings, with presigned download URLs",
    see: 'docs/recordings.md',
    request: { query: externalIdQuerySchema },
    success: { status: 200, description: 'One recording per span that asked for one.', schema: recordingsResponseSchema },
    errors: ['400-01', '500-01'],
  },
  [`POST ${ASAPP_ROUTES.fileExporter}`]: fileExporter(''),
  [`GET ${CUSTOM_VOCABULARIES_PATH}`]: {
    summary: "The tenant's custom vocabularies, a page at a time",
    see: 'docs/api-contract.md §7.1',
    request: { query: customVocabulariesQuerySchema },
    success: { status: 200, description: 'A page of entries, oldest first.', schema: customVocabulariesListSchema },
    errors: ['400-01', '500-01'],
  },
  [`POST ${CUSTOM_VOCABULARIES_PATH}`]: {
    summary: 'Add a custom vocabulary entry',
    description: 'Applies to calls whose transcription starts after it.',
    see: 'docs/api-contract.md §7.1',
    request: { body: newVocabularyItemSchema },
    success: { status: 201, description: 'The stored entry.', schema: customVocabularyItemSchema },
    errors: ['400-01', '500-01'],
  },
  [`GET ${CUSTOM_VOCABULARIES_PATH}/{customVocabularyId}`]: {
    summary: 'One custom vocabulary entry',
    see: 'docs/api-contract.md §7.1',
    request: { path: vocabularyPath },
    success: { status: 200, description: 'The entry.', schema: customVocabularyItemSchema },
    errors: ['404-01', '500-01'],
  },
  [`DELETE ${CUSTOM_VOCABULARIES_PATH}/{customVocabularyId}`]: {
    summary: 'Delete a custom vocabulary entry',
    see: 'docs/api-contract.md §7.1',
    request: { path: vocabularyPath },
    success: { status: 204, description: 'Deleted.' },
    errors: ['404-01', '500-01'],
  },
  [`GET ${CUSTOM_VOCABULARY_STATUS_PATH}`]: {
    summary: "The speech engine's copy of the tenant's vocabulary, per language",
    description: 'Also retries a copy an earlier change failed to make.',
    see: 'docs/api-contract.md §7.1',
    success: { status: 200, description: "The engine's state per language.", schema: customVocabularyStatusSchema },
    errors: ['500-01'],
  },
  [`GET ${CONSOLE_ROUTES.liveCalls}`]: {
    summary: 'Every call a gateway task holds (console)',
    see: 'docs/console.md §2.1',
    success: { status: 200, description: 'The live calls, newest first.', schema: liveCallsResponseSchema },
    errors: ['500-01'],
  },
  [`GET ${CONSOLE_ROUTES.health}`]: {
    summary: "A call's health: session view and webhook deliveries (console)",
    see: 'docs/console.md §2.2',
    request: { path: conversationPath },
    success: { status: 200, description: 'The health view.', schema: healthResponseSchema },
    errors: ['400-01', '404-01', '500-01'],
  },
  [`GET ${CONSOLE_ROUTES.messages}`]: {
    summary: "A call's messages after a cursor (console)",
    description: 'Items of the last few seconds before the cursor are returned again; de-duplicate by messageId.',
    see: 'docs/console.md §2.3',
    request: { path: conversationPath, query: consoleMessagesQuerySchema },
    success: { status: 200, description: 'Messages in recording order, and the cursor to read on.', schema: messagesAfterResponseSchema },
    errors: ['400-01', '500-01'],
  },
  [`POST ${CONSOLE_ROUTES.startStreaming}`]: { ...startStreaming(BY_CONSOLE), errors: [...streamingErrors, '500-01'] },
  [`POST ${CONSOLE_ROUTES.stopStreaming}`]: { ...stopStreaming(BY_CONSOLE), errors: [...stopErrors, '500-01'] },
  [`POST ${CONSOLE_ROUTES.files}`]: fileExporter(BY_CONSOLE),
};

function routeKey(route: Pick<ApiRoute, 'method' | 'resource'>): string {
  return `${route.method} ${route.resource}`;
}

/** Throws when the route table and the operations above disagree, so neither can change alone. */
function operationOf(route: ApiRoute): ZodOpenApiOperationObject {
  const spec = OPERATIONS[routeKey(route)];
  if (!spec) throw new Error(`OpenAPI: no operation for ${routeKey(route)}`);
  const { request = {} } = spec;
  const responses: ZodOpenApiResponsesObject = {
    [spec.success.status]: {
      description: spec.success.description,
      ...(spec.success.schema ? { content: { 'application/json': { schema: spec.success.schema } } } : {}),
    },
  };
  const codes = [...new Set([...COMMON_ERRORS, ...(route.auth === 'asapp' ? (['403-01'] as const) : []), ...spec.errors])];
  for (const status of [...new Set(codes.map((c) => ERROR_CODES[c].status))].sort()) {
    const listed = codes.filter((c) => ERROR_CODES[c].status === status).sort();
    responses[String(status) as `${4 | 5}${string}`] = {
      description: listed.map((c) => `\`${c}\` ${ERROR_CODES[c].message}`).join('; '),
      content: { 'application/json': { schema: errorEnvelopeSchema } },
    };
  }
  return {
    operationId: operationId(route),
    summary: spec.summary,
    description: [spec.description, `Specified in ${spec.see}.`].filter(Boolean).join('\n\n'),
    tags: [route.auth === 'asapp' ? (route.lambda === 'custom-vocabularies' ? 'configuration' : 'asapp') : 'console'],
    security: route.auth === 'asapp' ? [{ asappApiId: [], asappApiSecret: [] }] : [{ consoleUser: [] }],
    ...(request.query || request.path
      ? { requestParams: { ...(request.query ? { query: request.query } : {}), ...(request.path ? { path: request.path } : {}) } }
      : {}),
    ...(request.body ? { requestBody: { required: true, content: { 'application/json': { schema: request.body } } } } : {}),
    responses,
  };
}

/** `POST /console/v1/start-streaming` → `postConsoleV1StartStreaming`: unique because routes are. */
function operationId(route: ApiRoute): string {
  const words = route.resource
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1));
  return route.method.toLowerCase() + words.join('');
}

export function openApiDocument(): ReturnType<typeof createDocument> {
  const known = new Set(API_ROUTES.map(routeKey));
  const extra = Object.keys(OPERATIONS).filter((key) => !known.has(key));
  if (extra.length > 0) throw new Error(`OpenAPI: operations for routes not in the table: ${extra.join(', ')}`);
  const paths: ZodOpenApiPathsObject = {};
  for (const route of API_ROUTES) {
    paths[route.resource] = { ...paths[route.resource], [route.method.toLowerCase()]: operationOf(route) };
  }
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'AudioHook transcription API',
      version: '1',
      description:
        'The public HTTP API (docs/api-contract.md). The ASAPP-tagged routes have the paths, bodies and codes of ASAPP\'s "AI Transcribe for Genesys AudioHook"; the others are ours. Every path is also served with a trailing slash. Every non-2xx answer has the ErrorEnvelope body.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    tags: [
      { name: 'asapp', description: 'ASAPP-compatible routes.' },
      { name: 'configuration', description: "ASAPP's Configuration API (custom vocabularies), and the engine status beside it." },
      { name: 'console', description: 'The operator console’s routes (docs/console.md).' },
    ],
    paths,
    webhooks: {
      transcript: {
        post: {
          operationId: 'transcriptWebhook',
          summary: "Each final utterance, POSTed to the customer's webhook target as it is spoken",
          description:
            'The one call we make to the customer (docs/api-contract.md §3): how it authenticates to the target (custom CA, mTLS, secret token, OAuth2) is §3.4, delivery and retries §3.5.',
          requestBody: { required: true, content: { 'application/json': { schema: webhookBodySchema } } },
          responses: { '2XX': { description: 'Delivered.' } },
        },
      },
    },
    components: {
      securitySchemes: {
        asappApiId: {
          type: 'apiKey',
          in: 'header',
          name: CREDENTIAL_HEADERS.id,
          description: 'API id of a credential pair; sent with its secret.',
        },
        asappApiSecret: { type: 'apiKey', in: 'header', name: CREDENTIAL_HEADERS.secret, description: 'The secret of the pair.' },
        consoleUser: {
          type: 'apiKey',
          in: 'header',
          name: 'Authorization',
          description:
            'In AWS: the Cognito ID token of a console user, as the header value. `npm start` (CONSOLE_AUTH=loopback) asks for nothing but answers only connections from the same machine.',
        },
      },
    },
  });
}
