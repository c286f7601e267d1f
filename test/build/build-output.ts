import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '#scripts/build.ts';

/**
 * Runs `npm run build -- STEP --outdir <temp>` exactly as a user would, then copies one artifact
 * folder into another empty temporary folder outside the repository, so nothing from the dev tree
 * (node_modules above it, the sources) can be resolved from where it runs.
 */
export function buildIsolated(step: string, subfolder = step): { dir: string; cleanup(): void } {
  const root = mkdtempSync(path.join(tmpdir(), `build-${step}-`));
  const outdir = path.join(root, 'dist');
  const result = spawnSync('npm', ['run', '--silent', 'build', '--', step, '--outdir', outdir, '--quiet'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`npm run build failed (${result.status}): ${result.stderr}`);
  const dir = path.join(root, 'isolated');
  cpSync(path.join(outdir, subfolder), dir, { recursive: true });
  return { dir, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** An environment holding nothing from this process (no NODE_OPTIONS loader, no test variables). */
export function bareEnv(extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, ...extra };
}
