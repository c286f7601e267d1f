import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { BuildStep } from './step.ts';

/**
 * `dist/console/`: the web console's static files (index.html, hashed JS and CSS), built by Vite from
 * console/ with its own config. `npm start` serves this folder under /console/; the stack uploads it
 * to the console's private bucket behind CloudFront.
 */
const CONSOLE_DIR = 'console';

export const consoleStep: BuildStep = {
  name: 'console',
  description: 'web console: dist/console/ (static files)',
  async run({ root, outdir }) {
    // Vite is a build tool only: loaded here, never by what runs in production.
    const { build } = await import('vite');
    const out = path.join(outdir, 'console');
    await build({
      configFile: path.join(root, CONSOLE_DIR, 'vite.config.ts'),
      build: { outDir: out, emptyOutDir: true },
      logLevel: 'warn',
    });
    return (await readdir(out, { recursive: true, withFileTypes: true }))
      .filter((e) => e.isFile())
      .map((e) => path.join(e.parentPath, e.name));
  },
};
