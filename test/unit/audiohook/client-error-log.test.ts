import { Logger } from '@aws-lambda-powertools/logger';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AudioHookSession } from '#gateway/audiohook/session.ts';

/**
 * A client `error` message's text reaches the log, bounded: `message` is the logger's own key, so the
 * client's text must travel under another one or it is silently replaced by the log line's message.
 */
describe('client error messages in the log', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  });

  it('logs the client text under clientMessage, cut to 200 characters', async () => {
    const lines: string[] = [];
    // In dev mode the logger prints through the global console, where its lines can be read back.
    vi.stubEnv('POWERTOOLS_DEV', 'true');
    vi.spyOn(console, 'warn').mockImplementation((line: string) => void lines.push(line));
    const sessionId = '11111111-2222-3333-4444-555555555555';
    const session = new AudioHookSession({
      sessionId,
      organizationId: undefined,
      transport: { send: () => undefined, close: () => undefined, terminate: () => undefined },
      logger: new Logger({ serviceName: 'test', logLevel: 'WARN' }),
      authorized: Promise.resolve(true),
      createHandler: () => {
        throw new Error('not used');
      },
      timeouts: { idleMs: 60_000 },
    });
    await Promise.resolve();
    const text = `tough stuff ${'x'.repeat(500)}`;
    session.onText(JSON.stringify({ version: '2', id: sessionId, type: 'error', seq: 1, parameters: { code: 400, message: text } }));
    session.onSocketClosed();
    const logged = lines.map((l) => JSON.parse(l)).find((l) => l.message === 'client reported an error');
    expect(logged).toMatchObject({ code: 400, clientMessage: text.slice(0, 200) });
  });
});
