import { DescribeServicesCommand, DescribeTasksCommand, ECSClient, ListTasksCommand, type Task } from '@aws-sdk/client-ecs';

/**
 * Whether the ECS service still wants this task to take new calls.
 *
 * A task cannot learn this from its own metadata: the task metadata endpoint says who the task is
 * (task ARN, cluster), not what its service is doing. The ECS API does: DescribeTasks gives the
 * task's service (`group` = `service:NAME`) and the deployment that started it (`startedBy`);
 * DescribeServices gives the service's PRIMARY deployment and desired count. Two reasons retire a task:
 *
 * - **superseded**: it was started by a deployment that is no longer PRIMARY (a rolling deploy or a
 *   forced new deployment is replacing it; a rollback that makes its deployment PRIMARY again
 *   un-retires it);
 * - **scale-in**: the PRIMARY deployment runs more tasks than the service's desired count. ECS cannot
 *   stop a protected task, and tasks with calls are protected, so the surplus tasks must empty
 *   themselves. Every task ranks the PRIMARY deployment's running tasks the same way (newest first —
 *   they hold the fewest and shortest calls —, ties by task ARN) and the first `running − desired`
 *   retire. When the surplus disappears (ECS stopped an idle unprotected task instead, or the desired
 *   count rose again) they take calls again.
 */
export type Retirement = { retire: false } | { retire: true; reason: 'superseded' | 'scale-in' };

export interface ServiceSnapshot {
  /** This task. */
  self: Pick<Task, 'taskArn' | 'startedBy' | 'group'>;
  service: { desiredCount: number; primaryDeploymentId: string | undefined };
  /** Running tasks of the PRIMARY deployment (ARN and start time). */
  primaryTasks: Array<{ taskArn: string; startedAt: Date | undefined }>;
}

/** The decision for one snapshot: pure, so every task reaches the same one from the same facts. */
export function decideRetirement(s: ServiceSnapshot): Retirement {
  if (!s.service.primaryDeploymentId) return { retire: false };
  if (s.self.startedBy !== s.service.primaryDeploymentId) return { retire: true, reason: 'superseded' };
  const surplus = s.primaryTasks.length - s.service.desiredCount;
  if (surplus <= 0) return { retire: false };
  const ranked = [...s.primaryTasks].sort(
    (a, b) => (b.startedAt?.getTime() ?? 0) - (a.startedAt?.getTime() ?? 0) || (a.taskArn < b.taskArn ? -1 : a.taskArn > b.taskArn ? 1 : 0),
  );
  return ranked.slice(0, surplus).some((t) => t.taskArn === s.self.taskArn) ? { retire: true, reason: 'scale-in' } : { retire: false };
}

/** Reads a ServiceSnapshot for one task through the ECS API (3–4 calls; every task polls on its own). */
export async function readServiceSnapshot(
  client: ECSClient,
  task: { taskArn: string; cluster: string },
): Promise<ServiceSnapshot | undefined> {
  const { cluster, taskArn } = task;
  const [self] = (await client.send(new DescribeTasksCommand({ cluster, tasks: [taskArn] }))).tasks ?? [];
  // A task started outside a service (RunTask) has nobody to be superseded by.
  const serviceName = self?.group?.startsWith('service:') ? self.group.slice('service:'.length) : undefined;
  if (!self || !serviceName) return undefined;
  const [service] = (await client.send(new DescribeServicesCommand({ cluster, services: [serviceName] }))).services ?? [];
  if (!service) return undefined;
  const primary = service.deployments?.find((d) => d.status === 'PRIMARY');
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(new ListTasksCommand({ cluster, serviceName, desiredStatus: 'RUNNING', nextToken }));
    arns.push(...(page.taskArns ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  const primaryTasks: ServiceSnapshot['primaryTasks'] = [];
  for (let i = 0; i < arns.length; i += 100) {
    for (const t of (await client.send(new DescribeTasksCommand({ cluster, tasks: arns.slice(i, i + 100) }))).tasks ?? []) {
      if (t.taskArn && t.startedBy === primary?.id && t.lastStatus !== 'STOPPED')
        primaryTasks.push({ taskArn: t.taskArn, startedAt: t.startedAt ?? t.createdAt });
    }
  }
  return {
    self: { taskArn: self.taskArn, startedBy: self.startedBy, group: self.group },
    service: { desiredCount: service.desiredCount ?? 0, primaryDeploymentId: primary?.id },
    primaryTasks,
  };
}
