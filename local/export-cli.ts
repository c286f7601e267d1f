/**
 * `npm run export -- --date YYYY-MM-DD`: runs the daily feed export now, against whatever the
 * environment points at (the local runtime's emulators, LocalStack or AWS), and prints the files written.
 *
 *   --date YYYY-MM-DD   day to export (default: the previous UTC day)
 *   --purge             also apply the retention rule (delete files older than FEED_RETENTION_DAYS)
 *   --env-file PATH     load environment variables from a file first (default: the running npm start's
 *                       .local/runtime-<pid>.env, when nothing else is configured)
 *   --json              print the summary as one JSON object instead of text
 *   --progress-every N  rows between progress lines (default 100,000)
 *
 * Needs EXPORT_BUCKET, MESSAGES_TABLE, CONVERSATIONS_TABLE and, locally, AWS_ENDPOINT_URL[_<SERVICE>].
 */
import './quiet-logs.ts';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { findRuntimeEnv, STAND_INS_MARKER } from './runtime-env.ts';

const { values } = parseArgs({
  options: {
    date: { type: 'string' },
    purge: { type: 'boolean', default: false },
    'env-file': { type: 'string' },
    json: { type: 'boolean', default: false },
    'progress-every': { type: 'string', default: '100000' },
    help: { type: 'boolean', short: 'h', default: false },
  },
  strict: true,
});

if (values.help) {
  process.stdout.write('usage: npm run export -- [--date YYYY-MM-DD] [--purge] [--env-file PATH] [--json] [--progress-every N]\n');
  process.exit(0);
}
const runtimeEnv = values['env-file'] ?? (!process.env.AWS_ENDPOINT_URL && !process.env.EXPORT_BUCKET ? findRuntimeEnv() : undefined);
if (runtimeEnv) {
  if (!existsSync(runtimeEnv)) {
    process.stderr.write(`export: ${runtimeEnv} does not exist\n`);
    process.exit(1);
  }
  process.loadEnvFile(runtimeEnv);
  if (!values['env-file']) process.stderr.write(`export: using the running npm start (${runtimeEnv})\n`);
  // The stand-ins take any credentials; the file never holds any.
  if (process.env[STAND_INS_MARKER] === 'true') Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' });
} else if (!process.env.EXPORT_BUCKET) {
  process.stderr.write(
    'export: no running `npm start` found and EXPORT_BUCKET is not set: start the system (npm start) in this checkout, or configure the export (EXPORT_BUCKET, MESSAGES_TABLE, CONVERSATIONS_TABLE) or pass --env-file\n',
  );
  process.exit(1);
}

// Loaded after the environment is final: the runtime reads it when built.
const { createExportRuntime } = await import('#core/daily-export/runtime.ts');
const { ensureBucket } = await import('#core/daily-export/export-bucket.ts');
const { createS3Client, hasS3EndpointOverride } = await import('#core/daily-export/s3-client.ts');
const { exportDateFor, InvalidExportDateError } = await import('#core/daily-export/schedule.ts');

const progressEvery = Number(values['progress-every']);

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

async function main(): Promise<number> {
  if (!Number.isInteger(progressEvery) || progressEvery < 1) {
    process.stderr.write('export: --progress-every must be a positive integer\n');
    return 2;
  }
  let date: string;
  try {
    date = exportDateFor({ date: values.date }, Date.now());
  } catch (error) {
    if (error instanceof InvalidExportDateError) {
      process.stderr.write(`export: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const runtime = createExportRuntime();
  // Only an emulator gets its bucket created here; in AWS the stack owns the bucket.
  if (hasS3EndpointOverride()) await ensureBucket(createS3Client(), runtime.config.bucket);

  const startedAt = Date.now();
  const summary = await runtime.exportDay(date, {
    progressEvery,
    onProgress: ({ hour, rows, hourDone }) => {
      // Only large days get progress lines: one every `progressEvery` rows, none at hour ends.
      if (!hourDone && !values.json) {
        const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
        process.stderr.write(`  … ${rows.toLocaleString('en-US')} rows, hr=${String(hour).padStart(2, '0')}, ${seconds} s\n`);
      }
    },
  });
  const purged = values.purge ? await runtime.purgeExpired() : [];

  if (values.json) {
    process.stdout.write(`${JSON.stringify({ ...summary, purged })}\n`);
    return 0;
  }
  const out: string[] = [];
  for (const file of summary.files)
    out.push(`  s3://${runtime.bucket.name}/${file.key}  ${file.rows.toLocaleString('en-US')} rows  ${formatBytes(file.bytes)}`);
  out.push(
    `exported ${summary.date}: ${summary.rows.toLocaleString('en-US')} rows in ${summary.files.length} files` +
      `${summary.deleted.length ? `, ${summary.deleted.length} stale files removed` : ''}` +
      `${summary.misplaced ? `, ${summary.misplaced} misplaced messages skipped` : ''}` +
      ` (${(summary.durationMs / 1000).toFixed(1)} s)`,
  );
  if (summary.files.length === 0) out.push('  (no utterances that day: no files)');
  if (values.purge) out.push(`retention: ${purged.length} expired files deleted (older than ${runtime.config.retentionDays} days)`);
  process.stdout.write(`${out.join('\n')}\n`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`export failed: ${(error as Error).message}\n`);
    process.exit(1);
  },
);
