/**
 * AudioHook v2 message envelopes (docs/audiohook-protocol.md §5, §7, §8) and the lenient parser for client
 * messages. Only the breaches listed as hard failures in §16 are reported as `fatal`; everything else
 * is parsed as far as it goes and left to the session to tolerate.
 */

export const PROTOCOL_VERSION = '2';
const MAX_TEXT_MESSAGE_CHARS = 65_535;
export const PROBE_CONVERSATION_ID = '00000000-0000-0000-0000-000000000000';

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Policy (§5.1): any 8-4-4-4-12 hex string, whatever its version bits. */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID_PATTERN.test(value);
}

export type ServerMessageType = 'opened' | 'pong' | 'closed' | 'pause' | 'resume' | 'disconnect' | 'event';
export type DisconnectReason = 'completed' | 'unauthorized' | 'error';

export interface MediaFormat {
  type: string;
  format: string;
  channels: string[];
  rate: number;
  [extra: string]: unknown;
}

export interface ClientMessage {
  version: string;
  id: string;
  type: string;
  seq: number;
  serverseq?: number;
  position?: string;
  parameters: Record<string, unknown>;
}

export interface ServerMessage {
  version: typeof PROTOCOL_VERSION;
  id: string;
  type: ServerMessageType;
  seq: number;
  clientseq: number;
  parameters: Record<string, unknown>;
}

export type ParseOutcome = { ok: true; message: ClientMessage; warnings: string[] } | { ok: false; fatal: true; reason: string };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCounter(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** Parses one text frame. `sessionId` is the id the upgrade carried; a different `id` is fatal. */
export function parseClientMessage(text: string, sessionId: string): ParseOutcome {
  if (text.length > MAX_TEXT_MESSAGE_CHARS) {
    return { ok: false, fatal: true, reason: `text message of ${text.length} characters exceeds ${MAX_TEXT_MESSAGE_CHARS}` };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, fatal: true, reason: 'text message is not JSON' };
  }
  if (!isObject(value)) return { ok: false, fatal: true, reason: 'text message is not a JSON object' };
  const { version, id, type, seq } = value;
  if (typeof version !== 'string') return { ok: false, fatal: true, reason: 'missing or invalid "version"' };
  if (typeof id !== 'string') return { ok: false, fatal: true, reason: 'missing or invalid "id"' };
  if (typeof type !== 'string' || type.length === 0) return { ok: false, fatal: true, reason: 'missing or invalid "type"' };
  if (!isCounter(seq)) return { ok: false, fatal: true, reason: 'missing or invalid "seq"' };
  if (id.toLowerCase() !== sessionId.toLowerCase()) {
    return { ok: false, fatal: true, reason: 'message "id" differs from the session id' };
  }
  const warnings: string[] = [];
  if (version !== PROTOCOL_VERSION) warnings.push(`unexpected version "${version}"`);
  let parameters: Record<string, unknown> = {};
  if (isObject(value.parameters)) parameters = value.parameters;
  else warnings.push('"parameters" missing or not an object');
  const message: ClientMessage = { version, id, type, seq, parameters };
  if (isCounter(value.serverseq)) message.serverseq = value.serverseq;
  else if (value.serverseq !== undefined) warnings.push('invalid "serverseq"');
  if (typeof value.position === 'string') message.position = value.position;
  return { ok: true, message, warnings };
}

export interface OpenParameters {
  organizationId: string;
  conversationId: string;
  participant?: { id?: string; ani?: string; aniName?: string; dnis?: string };
  media: MediaFormat[];
  language?: string;
  supportedLanguages?: boolean;
  customConfig?: Record<string, unknown>;
}

/** `open` is the one message whose breaches are fatal (§16): the session cannot work without it. */
export function parseOpenParameters(
  parameters: Record<string, unknown>,
): { ok: true; open: OpenParameters } | { ok: false; reason: string } {
  const { organizationId, conversationId, media } = parameters;
  if (typeof organizationId !== 'string' || organizationId.length === 0) return { ok: false, reason: 'open without "organizationId"' };
  if (typeof conversationId !== 'string' || conversationId.length === 0) return { ok: false, reason: 'open without "conversationId"' };
  if (!Array.isArray(media)) return { ok: false, reason: 'open without a "media" array' };
  const open: OpenParameters = {
    organizationId,
    conversationId,
    media: media.filter(isMediaFormat),
  };
  if (isObject(parameters.participant)) open.participant = parameters.participant;
  if (typeof parameters.language === 'string') open.language = parameters.language;
  if (parameters.supportedLanguages === true) open.supportedLanguages = true;
  if (isObject(parameters.customConfig)) open.customConfig = parameters.customConfig;
  return { ok: true, open };
}

function isMediaFormat(value: unknown): value is MediaFormat {
  return (
    isObject(value) &&
    typeof value.type === 'string' &&
    typeof value.format === 'string' &&
    typeof value.rate === 'number' &&
    Array.isArray(value.channels) &&
    value.channels.every((c) => typeof c === 'string')
  );
}
