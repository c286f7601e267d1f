import type { BuildOptions } from 'esbuild';

/** Node major version every artifact targets: the Lambda runtime and the gateway image's base. */
export const NODE_TARGET = 'node24';

/**
 * esbuild settings shared by every server-side artifact: one ES module per entry with all of its
 * dependencies inside (no node_modules at run time), source maps without sources for stack traces.
 */
export function nodeBundleOptions(): BuildOptions {
  return {
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: NODE_TARGET,
    // Prefer the ES module build of dependencies that ship both.
    mainFields: ['module', 'main'],
    // CommonJS dependencies inside an ES module bundle still call require().
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    // ws loads these optional native helpers in a try/catch and works without them (its JavaScript
    // masking). bufferutil is not carried into the gateway image: its npm package has no linux-arm64
    // binary (the default task architecture), and compiling it would bring npm, node-gyp and a compiler
    // back into the image build, which only copies files (docs/deploy.md, "Gateway image").
    external: ['bufferutil', 'utf-8-validate'],
    sourcemap: true,
    sourcesContent: false,
    legalComments: 'none',
    logLevel: 'warning',
    metafile: true,
  };
}
