import type { TaskMetadata } from './task-metadata.ts';

/**
 * The URL other components use to reach this task's control endpoint. On ECS (awsvpc networking) it
 * is the task's private IPv4 address from the task metadata; elsewhere the configured or loopback
 * address.
 */
export function advertisedControlUrl(options: {
  configured: string | undefined;
  metadata: TaskMetadata | undefined;
  port: number;
}): string {
  if (options.configured) return options.configured.replace(/\/$/, '');
  if (options.metadata) {
    if (!options.metadata.ipv4) throw new Error('ECS task metadata lists no IPv4 address');
    return `http://${options.metadata.ipv4}:${options.port}`;
  }
  return `http://127.0.0.1:${options.port}`;
}
