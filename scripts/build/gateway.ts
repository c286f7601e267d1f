import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { build, type Plugin } from 'esbuild';
import { nodeBundleOptions } from './node-bundle.ts';
import type { BuildStep } from './step.ts';

/**
 * `dist/gateway/`: the AudioHook gateway exactly as its container runs it — `node main.mjs` in a
 * folder with no node_modules. Code splitting keeps each recognition engine in its own chunk, loaded
 * only when RECOGNIZER selects it, so `none` never loads the Transcribe SDK.
 *
 * The embedded engine (PocketSphinx through koffi, decoder worker threads, Debian packages) is left
 * out: it needs native libraries the image does not carry. Its import resolves to a module that
 * refuses RECOGNIZER=embedded with a clear configuration error instead of crashing on a missing
 * package. It runs from the source tree (`npm start`, `npm run gateway`).
 */
export const gatewayStep: BuildStep = {
  name: 'gateway',
  description: 'AudioHook gateway: dist/gateway/main.mjs (RECOGNIZER=transcribe | none)',
  async run({ root, outdir }) {
    const dir = path.join(outdir, 'gateway');
    const result = await build({
      ...nodeBundleOptions(),
      absWorkingDir: root,
      entryPoints: { main: 'fargate-gateway/main.ts' },
      outdir: dir,
      outExtension: { '.js': '.mjs' },
      splitting: true,
      chunkNames: 'chunks/[name]-[hash]',
      plugins: [withoutEmbeddedEngine],
    });
    // Marks the folder as ES modules and names its entry, so `node .` works as well as `node main.mjs`.
    await writeFile(path.join(dir, 'package.json'), `${JSON.stringify({ type: 'module', main: 'main.mjs', private: true }, null, 2)}\n`);
    return Object.keys(result.metafile!.outputs).map((f) => path.resolve(root, f));
  },
};

const EMBEDDED_ENTRY = /[\\/]embedded[\\/]embedded-recognizer(\.ts)?$/;

const withoutEmbeddedEngine: Plugin = {
  name: 'without-embedded-engine',
  setup(b) {
    b.onResolve({ filter: EMBEDDED_ENTRY }, (args) => ({ path: args.path, namespace: 'embedded-engine-excluded' }));
    b.onLoad({ filter: /.*/, namespace: 'embedded-engine-excluded' }, () => ({
      loader: 'js',
      contents: `export async function createEmbeddedRecognizer() {
  throw new Error('RECOGNIZER=embedded is not available in this build (it needs the PocketSphinx libraries): use RECOGNIZER=transcribe or none, or run the gateway from the source tree');
}`,
    }));
  },
};
