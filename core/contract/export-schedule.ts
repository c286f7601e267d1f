/**
 * The daily `utterances` feed (docs/api-contract.md, "File Exporter"): at 02:00 UTC the previous UTC
 * day is exported, and files are kept 32 days. The stack's EventBridge rule and S3 lifecycle rule, the
 * export Lambda and the local runtime's scheduler all take these values from here.
 */
export const DAILY_EXPORT_HOUR_UTC = 2;

/** EventBridge cron expression for DAILY_EXPORT_HOUR_UTC (EventBridge evaluates cron in UTC). */
export const DAILY_EXPORT_CRON = `cron(0 ${DAILY_EXPORT_HOUR_UTC} * * ? *)`;

/** Feed files expire, and dates stop being listed, after this many days. */
export const FEED_RETENTION_DAYS = 32;
