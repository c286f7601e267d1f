import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { useEmulators } from '#test/support/emulators.ts';
import { feedWorld, storeUtterance, type FeedWorld } from './support/feed-kit.ts';

/** `npm run export -- --date …` as a separate process against this file's emulators. */
const emulators = useEmulators({ s3: true, prefix: 'exportcli' });

const CLI = fileURLToPath(new URL('../../../local/export-cli.ts', import.meta.url));
let world: FeedWorld;

function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
      env: { ...env, POWERTOOLS_LOG_LEVEL: 'SILENT' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  world = await feedWorld();
  for (let i = 0; i < 5; i++) await storeUtterance(world.messages, `2026-11-24T0${i}:10:00.000Z`, { guid: `cli-call-${i % 2}` }, i);
});

describe('npm run export', () => {
  it('exports the given day, prints the files written, and progress lines on a large day', async () => {
    expect(emulators().external || emulators().endpoints.s3).toBeTruthy();
    const { code, stdout, stderr } = await runCli(['--date', '2026-11-24', '--progress-every', '2'], world.env);
    expect(code, stderr).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines.filter((l) => l.includes(`s3://${world.bucket}/utterances/`))).toHaveLength(10);
    expect(lines).toContainEqual(
      expect.stringMatching(/^ {2}s3:\/\/.*\/dt=2026-11-24\/hr=03\/part-0000\.csv {2}1 rows {2}\d+(\.\d)? (B|KiB)$/),
    );
    expect(lines.at(-1)).toMatch(/^exported 2026-11-24: 5 rows in 10 files \(\d+\.\d s\)$/);
    expect(stderr).toMatch(/… 2 rows, hr=01/);
    expect(stderr).toMatch(/… 4 rows, hr=03/);
  }, 60_000);

  it('prints JSON with --json and nothing but the summary', async () => {
    const { code, stdout } = await runCli(['--date', '2026-11-24', '--json'], world.env);
    expect(code).toBe(0);
    const summary = JSON.parse(stdout);
    expect(summary).toMatchObject({ date: '2026-11-24', rows: 5, deleted: [], purged: [] });
    expect(summary.files).toHaveLength(10);
  }, 60_000);

  it('says so for a day without utterances, and refuses a bad date', async () => {
    const empty = await runCli(['--date', '2026-11-20'], world.env);
    expect(empty.code).toBe(0);
    expect(empty.stdout).toMatch(/exported 2026-11-20: 0 rows in 0 files/);
    expect(empty.stdout).toMatch(/no utterances that day: no files/);

    const bad = await runCli(['--date', '2026-02-30'], world.env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/YYYY-MM-DD/);
  }, 60_000);
});
