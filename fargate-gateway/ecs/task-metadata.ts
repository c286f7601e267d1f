/**
 * This task's own description from the ECS task metadata endpoint v4
 * (`$ECS_CONTAINER_METADATA_URI_V4/task`): who it is (task ARN, cluster) and its private address.
 * What the service wants of it (the current deployment, the desired count) is not in the metadata:
 * that comes from the ECS API (service-membership.ts).
 */
export interface TaskMetadata {
  taskArn: string;
  cluster: string;
  ipv4: string | undefined;
}

export async function readTaskMetadata(metadataUri: string, fetchImpl: typeof fetch = fetch): Promise<TaskMetadata> {
  const res = await fetchImpl(`${metadataUri}/task`, { signal: AbortSignal.timeout(5_000) });
  if (!res.ok) throw new Error(`ECS task metadata answered HTTP ${res.status}`);
  const task = (await res.json()) as {
    TaskARN?: unknown;
    Cluster?: unknown;
    Containers?: Array<{ Networks?: Array<{ IPv4Addresses?: string[] }> }>;
  };
  if (typeof task.TaskARN !== 'string' || typeof task.Cluster !== 'string') throw new Error('ECS task metadata lacks TaskARN or Cluster');
  const ipv4 = task.Containers?.flatMap((c) => c.Networks ?? []).flatMap((n) => n.IPv4Addresses ?? [])[0];
  return { taskArn: task.TaskARN, cluster: task.Cluster, ipv4 };
}
