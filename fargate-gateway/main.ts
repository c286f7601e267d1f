import { logger } from '#core/logger.ts';
import { startGateway } from './gateway.ts';

/**
 * `npm run gateway` and the container's entry point: the gateway alone, configured from the
 * environment, draining gracefully on SIGTERM/SIGINT.
 */
if (process.argv.includes('--help') || process.argv.includes('-h')) {
  process.stdout.write(
    'usage: npm run gateway\n\nThe AudioHook gateway alone, configured from the environment (see the README, "Configuration: Gateway").\n',
  );
  process.exit(0);
}
try {
  const gateway = await startGateway();
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutdown requested', { signal });
    const { remaining } = await gateway.drain();
    await gateway.close();
    process.exit(remaining === 0 ? 0 : 1);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
