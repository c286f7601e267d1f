import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { logger } from '#core/logger.ts';
import { advertisedControlUrl } from '#gateway/ecs/task-address.ts';
import { readTaskMetadata } from '#gateway/ecs/task-metadata.ts';
import { TaskProtection } from '#gateway/ecs/task-protection.ts';

/** Task scale-in protection and the advertised control URL, against local HTTP servers shaped like the ECS agent endpoints. */

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

async function agent(handler: (method: string, url: string, body: string) => [number, unknown]): Promise<string> {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const [status, reply] = handler(req.method!, req.url!, body);
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(reply));
    });
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('TaskProtection', () => {
  it('protects while calls are live, releases when none remain, and sends only changes', async () => {
    const calls: unknown[] = [];
    const uri = await agent((method, url, body) => {
      calls.push([method, url, JSON.parse(body)]);
      return [200, { protection: {} }];
    });
    const protection = new TaskProtection({ agentUri: uri, logger, expiresInMinutes: 30 });
    await protection.update(1);
    await protection.update(2);
    await protection.update(1);
    await protection.update(0);
    expect(calls).toEqual([
      ['PUT', '/task-protection/v1/state', { ProtectionEnabled: true, ExpiresInMinutes: 30 }],
      ['PUT', '/task-protection/v1/state', { ProtectionEnabled: false }],
    ]);
    protection.stop();
  });

  it('retries on the next change after the agent refused, and does nothing off ECS', async () => {
    let refuse = true;
    const uri = await agent(() => [refuse ? 400 : 200, {}]);
    const protection = new TaskProtection({ agentUri: uri, logger });
    await protection.update(1);
    refuse = false;
    await protection.update(2);
    expect(protection.enabled).toBe(true);
    protection.stop();
    const off = new TaskProtection({ agentUri: undefined, logger });
    expect(off.enabled).toBe(false);
    await off.update(5);
  });
});

const TASK = {
  TaskARN: 'arn:aws:ecs:us-east-1:123456789012:task/gw-cluster/0123456789abcdef0',
  Cluster: 'arn:aws:ecs:us-east-1:123456789012:cluster/gw-cluster',
};

describe('advertisedControlUrl and the task metadata', () => {
  it('prefers the configured URL, then the task IP from ECS metadata, then loopback', async () => {
    expect(advertisedControlUrl({ configured: 'http://gw.internal:9000/', metadata: undefined, port: 8081 })).toBe(
      'http://gw.internal:9000',
    );
    const uri = await agent(() => [200, { ...TASK, Containers: [{ Networks: [{ IPv4Addresses: ['10.0.3.17'] }] }] }]);
    const metadata = await readTaskMetadata(uri);
    expect(metadata).toEqual({ taskArn: TASK.TaskARN, cluster: TASK.Cluster, ipv4: '10.0.3.17' });
    expect(advertisedControlUrl({ configured: undefined, metadata, port: 8081 })).toBe('http://10.0.3.17:8081');
    expect(advertisedControlUrl({ configured: undefined, metadata: undefined, port: 8081 })).toBe('http://127.0.0.1:8081');
  });

  it('fails clearly when the metadata lists no address, or is not a task description', async () => {
    const noAddress = await readTaskMetadata(await agent(() => [200, { ...TASK, Containers: [] }]));
    expect(() => advertisedControlUrl({ configured: undefined, metadata: noAddress, port: 8081 })).toThrow(/no IPv4 address/);
    await new Promise<void>((r) => server!.close(() => r()));
    await expect(readTaskMetadata(await agent(() => [200, { Containers: [] }]))).rejects.toThrow(/lacks TaskARN/);
    await new Promise<void>((r) => server!.close(() => r()));
    server = undefined;
    await expect(readTaskMetadata(await agent(() => [500, {}]))).rejects.toThrow(/HTTP 500/);
  });
});
