import { Logger } from '@aws-lambda-powertools/logger';
import type { ConstructorOptions } from '@aws-lambda-powertools/logger/types';

/** One log line as it would be printed (the JSON object), with its serialized size. */
export interface LogRecord {
  level: string;
  message: string;
  attributes: Record<string, unknown>;
  bytes: number;
}

/**
 * A Powertools logger that keeps every line it would print, its children included, so tests can count
 * what a peer costs in log volume. Prints nothing.
 */
export class RecordingLogger extends Logger {
  records: LogRecord[] = [];

  constructor(options: ConstructorOptions = {}) {
    super({ logLevel: 'DEBUG', serviceName: 'test', ...options });
  }

  protected override createLogger(options?: ConstructorOptions): Logger {
    const child = new RecordingLogger(options);
    child.records = this.records;
    return child;
  }

  protected override printLog(_logLevel: number, log: Parameters<Logger['printLog']>[1]): void {
    const attributes = log.getAttributes() as Record<string, unknown>;
    this.records.push({
      level: String(attributes.level),
      message: String(attributes.message),
      attributes,
      bytes: JSON.stringify(attributes).length,
    });
  }
}
