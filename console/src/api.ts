import type { HealthResponse, MessagesAfterResponse } from '#core/console/conversation.ts';
import type { LiveCallsResponse } from '#core/console/live-calls.ts';
import { CONSOLE_ROUTES } from '#core/contract/routes.ts';
import { authorization, signIn } from './auth.ts';

/** The console's API (docs/console.md §2): same origin, JSON, the shared error envelope. */
export type { HealthResponse, MessagesAfterResponse, LiveCallsResponse };
export type ConsoleMessage = MessagesAfterResponse['items'][number];
export type LiveCall = LiveCallsResponse['calls'][number];

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

async function request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(await authorization()) },
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
    });
  } catch {
    throw new ApiFailure(0, undefined, 'The console API cannot be reached. Is the service (npm start) still running?');
  }
  const json = (await response.json().catch(() => undefined)) as { error?: { code?: string; message?: string } } | undefined;
  if (response.status === 401) void signIn();
  if (!response.ok) throw new ApiFailure(response.status, json?.error?.code, json?.error?.message ?? `HTTP ${response.status}`);
  return json as T;
}

const enc = encodeURIComponent;

/** The contract's routes (core/contract/routes.ts), with the conversation id or operation filled in. */
const conversation = (route: string, id: string) => route.replace('{conversationId}', enc(id));

export const api = {
  liveCalls: () => request<LiveCallsResponse>('GET', CONSOLE_ROUTES.liveCalls),
  health: (id: string) => request<HealthResponse>('GET', conversation(CONSOLE_ROUTES.health, id)),
  messages: (id: string, after?: string) =>
    request<MessagesAfterResponse>('GET', `${conversation(CONSOLE_ROUTES.messages, id)}${after ? `?after=${enc(after)}` : ''}`),
  start: (guid: string, customerId: string, agentId: string) =>
    request<unknown>('POST', CONSOLE_ROUTES.startStreaming, { namespace: 'genesysaudiohook', guid, customerId, agentId }),
  stop: (guid: string) => request<unknown>('POST', CONSOLE_ROUTES.stopStreaming, { namespace: 'genesysaudiohook', guid }),
  files: <T>(operation: string, body: Record<string, string>) =>
    request<T>('POST', CONSOLE_ROUTES.files.replace('{operation}', enc(operation)), body),
};

/** Conversation order: by start on the audio timeline, then recording order. */
export function byTimeline(messages: ConsoleMessage[]): ConsoleMessage[] {
  return messages.sort((a, b) => a.startMs - b.startMs || (a.messageId < b.messageId ? -1 : 1));
}
