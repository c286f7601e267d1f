/**
 * The URL other components use to reach this task's control endpoint. On ECS (awsvpc networking) it
 * is the task's private IPv4 address from the task metadata endpoint; elsewhere the configured or
 * loopback address.
 */
export async function advertisedControlUrl(options: {
  configured: string | undefined;
  metadataUri: string | undefined;
  port: number;
  fetchImpl?: typeof fetch;
}): Promise<string> {
  if (options.configured) return options.configured.replace(/\/$/, '');
  if (options.metadataUri) {
    const res = await (options.fetchImpl ?? fetch)(`${options.metadataUri}/task`, { signal: AbortSignal.timeout(5_000) });
    if (!res.ok) throw new Error(`ECS task metadata answered HTTP ${res.status}`);
    const task = (await res.json()) as { Containers?: Array<{ Networks?: Array<{ IPv4Addresses?: string[] }> }> };
    const ip = task.Containers?.flatMap((c) => c.Networks ?? []).flatMap((n) => n.IPv4Addresses ?? [])[0];
    if (!ip) throw new Error('ECS task metadata lists no IPv4 address');
    return `http://${ip}:${options.port}`;
  }
  return `http://127.0.0.1:${options.port}`;
}
