import { Logger } from '@aws-lambda-powertools/logger';
import { describe, expect, it } from 'vitest';
import { keyedLogger } from '#core/logger.ts';

/** Entries as Powertools writes them (one JSON object per line), captured instead of printed. */
function capturingLogger(): { base: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const sink = {
    log: (line: string) => lines.push(JSON.parse(line)),
    info: (line: string) => lines.push(JSON.parse(line)),
    warn: (line: string) => lines.push(JSON.parse(line)),
    error: (line: string) => lines.push(JSON.parse(line)),
    debug: (line: string) => lines.push(JSON.parse(line)),
  };
  const base = new Logger({ serviceName: 'test', logLevel: 'DEBUG' });
  (base as unknown as { console: typeof sink }).console = sink;
  return { base, lines };
}

describe('keyedLogger', () => {
  it('adds its keys to every level, next to the entry’s own attributes and errors', () => {
    const { base, lines } = capturingLogger();
    const log = keyedLogger(base, { sessionId: 's-1' });
    log.debug('d');
    log.info('i', { frames: 3 });
    log.warn({ message: 'w', reason: 'x' });
    log.error('e', new Error('boom'));
    expect(lines.map((l) => [l.level, l.message, l.sessionId])).toEqual([
      ['DEBUG', 'd', 's-1'],
      ['INFO', 'i', 's-1'],
      ['WARN', 'w', 's-1'],
      ['ERROR', 'e', 's-1'],
    ]);
    expect(lines[1].frames).toBe(3);
    expect(lines[2].reason).toBe('x');
    expect((lines[3].error as { message: string }).message).toBe('boom');
  });

  it('children carry their parents’ keys and add their own; the parent is unchanged', () => {
    const { base, lines } = capturingLogger();
    const session = keyedLogger(base, { sessionId: 's-1' });
    const call = session.createChild({ persistentKeys: { conversationId: 'c-1' } });
    keyedLogger(call, { span: 2 }).info('in span');
    session.info('in session');
    expect(lines[0]).toMatchObject({ sessionId: 's-1', conversationId: 'c-1', span: 2, message: 'in span' });
    expect(lines[1].conversationId).toBeUndefined();
  });

  it('writes nothing below the base logger’s level', () => {
    const { base, lines } = capturingLogger();
    base.setLogLevel('WARN');
    keyedLogger(base, { sessionId: 's' }).info('hidden');
    expect(lines).toEqual([]);
  });
});
