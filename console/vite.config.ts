import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The console's build: plain Vite with Preact's automatic JSX runtime (no framework plugin needed),
 * served under /console/ both by `npm start` and by CloudFront. Everything is bundled: nothing is
 * fetched from a CDN at run time.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    // `npm run build` passes dist/console (or its --outdir); this default serves a bare `vite build`.
    outDir: fileURLToPath(new URL('../dist/console', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
  },
  logLevel: 'warn',
});
