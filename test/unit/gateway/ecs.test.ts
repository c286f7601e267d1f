import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { logger } from '../../../core/logger.ts';
import { advertisedControlUrl } from '../../../fargate-gateway/ecs/task-address.ts';
import { TaskProtection } from '../../../fargate-gateway/ecs/task-protection.ts';

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

describe('advertisedControlUrl', () => {
  it('prefers the configured URL, then the task IP from ECS metadata, then loopback', async () => {
    expect(await advertisedControlUrl({ configured: 'http://gw.internal:9000/', metadataUri: undefined, port: 8081 })).toBe('http://gw.internal:9000');
    const uri = await agent(() => [200, { Containers: [{ Networks: [{ IPv4Addresses: ['10.0.3.17'] }] }] }]);
    expect(await advertisedControlUrl({ configured: undefined, metadataUri: uri, port: 8081 })).toBe('http://10.0.3.17:8081');
    expect(await advertisedControlUrl({ configured: undefined, metadataUri: undefined, port: 8081 })).toBe('http://127.0.0.1:8081');
  });

  it('fails clearly when the metadata lists no address', async () => {
    const uri = await agent(() => [200, { Containers: [] }]);
    await expect(advertisedControlUrl({ configured: undefined, metadataUri: uri, port: 8081 })).rejects.toThrow(/no IPv4 address/);
  });
});
