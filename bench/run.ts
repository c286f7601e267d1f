/**
 * Runs every `bench/*.bench.ts` in its own Node process, one after another, so that one benchmark's JIT
 * state, heap and threads cannot colour the next one's figures. Their output passes straight through;
 * the exit code is non-zero if any of them fails.
 *
 *   npm run bench [-- name-filter ...]
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const benches = readdirSync(here)
  .filter((name) => name.endsWith('.bench.ts'))
  .filter((name) => filters.length === 0 || filters.some((filter) => name.includes(filter)))
  .sort();

if (benches.length === 0) {
  console.error(`bench: nothing matches ${filters.length ? filters.join(', ') : '*.bench.ts'}`);
  process.exit(1);
}

// Resolved here so the children find tsx whatever their working directory.
const tsx = import.meta.resolve('tsx');
const failed: string[] = [];
for (const name of benches) {
  const outcome = await run(join(here, name));
  if (outcome !== 'ok') {
    failed.push(name);
    console.error(`bench: ${name} failed (${outcome})`);
  }
}
if (failed.length > 0) {
  console.error(`bench: ${failed.length} of ${benches.length} failed: ${failed.join(', ')}`);
  process.exit(1);
}

function run(file: string): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', tsx, file], {
      stdio: ['ignore', 'inherit', 'inherit'],
      // Application logs would break the one-JSON-object-per-line output.
      env: {
        ...process.env,
        POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'SILENT',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      },
    });
    child.on('error', (error) => resolve(error.message));
    child.on('exit', (code, signal) => {
      resolve(code === 0 ? 'ok' : signal ? `signal ${signal}` : `exit code ${code}`);
    });
  });
}
