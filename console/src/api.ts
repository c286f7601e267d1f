import type { HealthResponse, MessagesAfterResponse } from '#core/console/conversation.ts';
import type { LiveCallsResponse } from '#core/console/live-calls.ts';
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

const API = '/console/v1';

async function request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`${API}${path}`, {
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

export const api = {
  liveCalls: () => request<LiveCallsResponse>('GET', '/live-calls'),
  health: (id: string) => request<HealthResponse>('GET', `/conversations/${enc(id)}/health`),
  messages: (id: string, after?: string) =>
    request<MessagesAfterResponse>('GET', `/conversations/${enc(id)}/messages${after ? `?after=${enc(after)}` : ''}`),
  start: (guid: string, customerId: string, agentId: string) =>
    request<unknown>('POST', '/start-streaming', { namespace: 'genesysaudiohook', guid, customerId, agentId }),
  stop: (guid: string) => request<unknown>('POST', '/stop-streaming', { namespace: 'genesysaudiohook', guid }),
  files: <T>(operation: string, body: Record<string, string>) => request<T>('POST', `/files/${operation}`, body),
};

/** Conversation order: by start on the audio timeline, then recording order. */
export function byTimeline(messages: ConsoleMessage[]): ConsoleMessage[] {
  return messages.sort((a, b) => a.startMs - b.startMs || (a.messageId < b.messageId ? -1 : 1));
}
