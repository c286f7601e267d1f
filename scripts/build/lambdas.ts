import { readdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { nodeBundleOptions } from './node-bundle.ts';
import type { BuildStep } from './step.ts';

/** Folder of the Lambda handlers; each `lambdas/<name>/handler.ts` is one function. */
const LAMBDAS_DIR = 'lambdas';
const HANDLER_FILE = 'handler.ts';

/**
 * `dist/lambdas/<name>/index.mjs` for every `lambdas/<name>/handler.ts`: the handler module with all
 * of its dependencies, the AWS SDK included (the code runs with the versions pinned in
 * package-lock.json, the ones the tests ran against, not whatever the runtime carries). The CDK
 * deploys these folders as they are (handler `index.handler`).
 */
export const lambdasStep: BuildStep = {
  name: 'lambdas',
  description: 'Lambda handlers: dist/lambdas/<name>/index.mjs',
  async run({ root, outdir }) {
    const names = await lambdaNames(root);
    // One esbuild run for all entries (each still gets its own self-contained module): parsing shared code once.
    const result = await build({
      ...nodeBundleOptions(),
      absWorkingDir: root,
      entryPoints: Object.fromEntries(names.map((name) => [`${name}/index`, path.join(LAMBDAS_DIR, name, HANDLER_FILE)])),
      outdir: path.join(outdir, 'lambdas'),
      outExtension: { '.js': '.mjs' },
      minify: true,
    });
    const files = Object.keys(result.metafile!.outputs).map((f) => path.resolve(root, f));
    return files;
  },
};

/** The function folders under lambdas/ (those with a handler.ts), sorted. */
export async function lambdaNames(root: string): Promise<string[]> {
  const entries = await readdir(path.join(root, LAMBDAS_DIR), { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory() && existsSync(path.join(root, LAMBDAS_DIR, e.name, HANDLER_FILE)))
    .map((e) => e.name)
    .sort();
}
