// Entry of a decoder worker thread. Whether the TypeScript loader reaches a worker depends on how the
// process was started (node --import tsx: yes; the tsx CLI and vitest: no), so it is registered here
// when `.ts` cannot be imported yet. The retry uses another URL: Node caches a failed import.
try {
  await import('./decoder-worker.ts');
} catch (error) {
  if (error?.code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw error;
  const { register } = await import('tsx/esm/api');
  register();
  await import('./decoder-worker.ts?tsx');
}
