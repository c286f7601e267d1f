import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lambdaNames } from '#scripts/build/lambdas.ts';
import { REPO_ROOT } from '#scripts/build.ts';
import { bareEnv, buildIsolated } from './build-output.ts';

/**
 * Every Lambda bundle from `npm run build` loads on its own: copied out of the repository and
 * imported by plain `node` with only Node built-ins and its own files, it exports `handler`.
 */
let built: ReturnType<typeof buildIsolated>;
beforeAll(() => {
  built = buildIsolated('lambdas');
}, 120_000);
afterAll(() => built?.cleanup());

describe('Lambda bundles', async () => {
  const names = await lambdaNames(REPO_ROOT);

  it('one bundle per lambdas/<name>/handler.ts', () => {
    expect(names.length).toBeGreaterThanOrEqual(6);
    expect(readdirSync(built.dir).sort()).toEqual(names);
    for (const name of names) expect(readdirSync(path.join(built.dir, name)).sort()).toEqual(['index.mjs', 'index.mjs.map']);
    expect(existsSync(path.join(built.dir, 'node_modules'))).toBe(false);
  });

  it.each(names)('%s imports in isolation and exports handler()', async (name) => {
    const probe = "const m = await import('./index.mjs'); console.log(JSON.stringify({ handler: typeof m.handler }));";
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', probe], {
      cwd: path.join(built.dir, name),
      env: bareEnv({ AWS_REGION: 'us-east-1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' }),
    });
    expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toEqual({ handler: 'function' });
  });
});
