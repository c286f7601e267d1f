import { Logger } from '@aws-lambda-powertools/logger';
import type { LogAttributes, LogItemExtraInput, LogItemMessage } from '@aws-lambda-powertools/logger/types';

/**
 * One structured JSON logger for the gateway and the Lambdas. Level comes from POWERTOOLS_LOG_LEVEL
 * (or LOG_LEVEL); tests set it to SILENT. Child loggers carry the session / conversation ids.
 * Never pass secrets, signatures or unredacted transcript text to it.
 */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'audiohook-transcribe' });

/** What the code logs with: Powertools' methods, and children that carry more keys. */
export interface AppLogger extends Pick<Logger, 'debug' | 'info' | 'warn' | 'error'> {
  createChild(options: { persistentKeys: LogAttributes }): AppLogger;
}

type Level = 'debug' | 'info' | 'warn' | 'error';

/**
 * A child that adds its keys to every entry of its parent. Powertools' own `createChild` builds a whole
 * Logger (about 9 KB, and environment look-ups) — a cost per WebSocket session the gateway pays
 * thousands of times over for ids it logs rarely; this costs one small object.
 */
class KeyedLogger implements AppLogger {
  constructor(
    private readonly base: Pick<AppLogger, Level>,
    private readonly keys: LogAttributes,
  ) {}

  debug(input: LogItemMessage, ...extra: LogItemExtraInput): void {
    this.write('debug', input, extra);
  }

  info(input: LogItemMessage, ...extra: LogItemExtraInput): void {
    this.write('info', input, extra);
  }

  warn(input: LogItemMessage, ...extra: LogItemExtraInput): void {
    this.write('warn', input, extra);
  }

  error(input: LogItemMessage, ...extra: LogItemExtraInput): void {
    this.write('error', input, extra);
  }

  createChild(options: { persistentKeys: LogAttributes }): AppLogger {
    return new KeyedLogger(this.base, { ...this.keys, ...options.persistentKeys });
  }

  private write(level: Level, input: LogItemMessage, extra: LogItemExtraInput): void {
    const item = typeof input === 'string' ? { ...this.keys, message: input } : { ...this.keys, ...input };
    this.base[level](item, ...extra);
  }
}

/** A logger whose every entry carries `keys` (session and conversation ids) on top of `base`'s. */
export function keyedLogger(base: AppLogger, keys: LogAttributes): AppLogger {
  return base instanceof KeyedLogger ? base.createChild({ persistentKeys: keys }) : new KeyedLogger(base, keys);
}
