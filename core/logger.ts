import { Logger } from '@aws-lambda-powertools/logger';

/**
 * One structured JSON logger for the gateway and the Lambdas. Level comes from POWERTOOLS_LOG_LEVEL
 * (or LOG_LEVEL); tests set it to SILENT. Child loggers carry the session / conversation ids.
 * Never pass secrets, signatures or unredacted transcript text to it.
 */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'audiohook-transcribe' });

export type AppLogger = Logger;
