import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type RunningGateway } from '#gateway/gateway.ts';
import { AudioHookClient, UpgradeRefusedError } from '#local/simulator/client.ts';

/**
 * Rolling deploys and scale-in under traffic, against local HTTP servers in the shape of the ECS agent
 * (task-protection endpoint), the task metadata endpoint v4, and the ECS API (JSON 1.1 protocol, reached
 * by the real SDK through AWS_ENDPOINT_URL_ECS): a superseded or surplus task stops taking calls at once
 * (/health 503, upgrades refused), keeps its live call to the end, then releases its protection.
 */
const API_KEY = 'retire-test-key';
const CLIENT_SECRET = Buffer.from('retirement-test-client-secret-32').toString('base64');
const CLUSTER = 'arn:aws:ecs:us-east-1:123456789012:cluster/gw';
const SELF = 'arn:aws:ecs:us-east-1:123456789012:task/gw/self0000000000000000000000000001';
const OLDER = 'arn:aws:ecs:us-east-1:123456789012:task/gw/older000000000000000000000000002';
const OLDEST = 'arn:aws:ecs:us-east-1:123456789012:task/gw/oldest00000000000000000000000003';

/** What the fake ECS API reports; tests change it as ECS would during a deploy or a scale-in. */
const ecs = {
  primary: 'ecs-svc/1',
  desired: 2,
  tasks: [
    { taskArn: SELF, startedBy: 'ecs-svc/1', startedAt: 3_000 },
    { taskArn: OLDER, startedBy: 'ecs-svc/1', startedAt: 2_000 },
  ],
  failing: false,
  /** DescribeServices calls answered: one per retirement check. */
  checks: 0,
};
const protectionRequests: Array<{ ProtectionEnabled: boolean }> = [];
const servers: Server[] = [];

async function serve(handler: (req: IncomingMessage, body: string, res: ServerResponse) => void): Promise<string> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => handler(req, body, res));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function ecsApi(target: string, input: Record<string, any>): unknown {
  const describe = (arns: string[]) => ({
    tasks: ecs.tasks
      .filter((t) => arns.includes(t.taskArn))
      .map((t) => ({ ...t, clusterArn: CLUSTER, group: 'service:gateway', lastStatus: 'RUNNING', startedAt: t.startedAt })),
    failures: [],
  });
  switch (target) {
    case 'DescribeTasks':
      return describe(input.tasks);
    case 'ListTasks':
      expect(input).toMatchObject({ cluster: CLUSTER, serviceName: 'gateway', desiredStatus: 'RUNNING' });
      return { taskArns: ecs.tasks.map((t) => t.taskArn) };
    case 'DescribeServices':
      expect(input.services).toEqual(['gateway']);
      ecs.checks++;
      return {
        services: [
          {
            serviceName: 'gateway',
            desiredCount: ecs.desired,
            deployments: [...new Set(['ecs-svc/1', ecs.primary])].map((id) => ({ id, status: id === ecs.primary ? 'PRIMARY' : 'ACTIVE' })),
          },
        ],
        failures: [],
      };
    default:
      throw new Error(`unexpected ECS call ${target}`);
  }
}

let gateway: RunningGateway;
const saved = { ...process.env };

beforeAll(async () => {
  const agentUri = await serve((req, body, res) => {
    if (req.method === 'PUT' && req.url === '/task-protection/v1/state') protectionRequests.push(JSON.parse(body));
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ protection: {} }));
  });
  const metadataUri = await serve((req, _body, res) => {
    expect(req.url).toBe('/task');
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ TaskARN: SELF, Cluster: CLUSTER, Containers: [{ Networks: [{ IPv4Addresses: ['127.0.0.1'] }] }] }));
  });
  const ecsEndpoint = await serve((req, body, res) => {
    if (ecs.failing)
      return void res
        .writeHead(500, { 'content-type': 'application/x-amz-json-1.1' })
        .end(JSON.stringify({ __type: 'ServerException', message: 'down' }));
    const target = String(req.headers['x-amz-target']).split('.').at(-1)!;
    res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(ecsApi(target, JSON.parse(body))));
  });
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_ECS: ecsEndpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
  });
  gateway = await startGateway({
    env: {
      ECS_AGENT_URI: agentUri,
      ECS_CONTAINER_METADATA_URI_V4: metadataUri,
      GATEWAY_PORT: '0',
      GATEWAY_HOST: '127.0.0.1',
      CONTROL_PORT: '0',
      CONTROL_HOST: '127.0.0.1',
      RECOGNIZER: 'none',
      AUDIOHOOK_API_KEY: API_KEY,
      AUDIOHOOK_CLIENT_SECRET: CLIENT_SECRET,
      AUTH_FAILURE_FLOOR_MS: '0',
      RETIREMENT_CHECK_MS: '100',
    },
  });
});

afterAll(async () => {
  await gateway?.close();
  for (const s of servers) {
    s.closeAllConnections();
    s.close();
  }
  process.env = saved;
});

afterEach(() => {
  ecs.primary = 'ecs-svc/1';
  ecs.desired = 2;
  ecs.tasks = ecs.tasks.filter((t) => t.taskArn !== OLDEST);
  ecs.failing = false;
});

const base = () => `http://127.0.0.1:${gateway.address.port}`;
const health = async () => {
  const res = await fetch(`${base()}/health`);
  return { status: res.status, body: (await res.json()) as { status: string; sessions: number } };
};
const client = () =>
  new AudioHookClient({ url: `ws://127.0.0.1:${gateway.address.port}/audiohook/ws`, apiKey: API_KEY, clientSecret: CLIENT_SECRET });

async function until(what: string, condition: () => Promise<boolean> | boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('a superseded task (rolling deploy)', () => {
  it('stops taking new calls at once, keeps its live call to the end, then releases its protection', async () => {
    await until('a first check', async () => (await health()).status === 200);
    const live = client();
    await live.connect();
    expect((await live.open()).type).toBe('opened');
    await until('protection on', () => protectionRequests.at(-1)?.ProtectionEnabled === true);

    // A new deployment becomes PRIMARY: this task's deployment is now the old one.
    ecs.primary = 'ecs-svc/2';
    await until('health to fail', async () => (await health()).status === 503);
    expect((await health()).body).toEqual({ status: 'retiring', sessions: 1 });
    // The load balancer may still send a connection before it notices: it is refused, not kept.
    const late = client();
    const refused = await late.connect().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(UpgradeRefusedError);
    expect((refused as UpgradeRefusedError).status).toBe(503);

    // The live call goes on: audio, pings, and its own close.
    for (let i = 0; i < 5; i++) live.sendAudio(new Uint8Array(1600).fill(0xff));
    expect(await live.ping()).toBeGreaterThanOrEqual(0);
    expect(protectionRequests.at(-1)?.ProtectionEnabled).toBe(true);
    expect((await live.close())?.type).toBe('closed');
    expect(live.violations).toEqual([]);
    await until('protection released', () => protectionRequests.at(-1)?.ProtectionEnabled === false);
    // Still retiring (ECS now stops it); liveness is unaffected, so ECS never kills it for being unhealthy.
    expect((await health()).status).toBe(503);
    expect((await fetch(`${base()}/live`)).status).toBe(200);
  });

  it('takes calls again when its deployment becomes PRIMARY again (rollback)', async () => {
    ecs.primary = 'ecs-svc/2';
    await until('retiring', async () => (await health()).status === 503);
    ecs.primary = 'ecs-svc/1';
    await until('serving', async () => (await health()).status === 200);
    const c = client();
    await c.connect();
    expect((await c.open()).type).toBe('opened');
    await c.close();
  });
});

describe('scale-in', () => {
  it('retires the newest surplus task of the current deployment, and un-retires when the surplus is gone', async () => {
    ecs.tasks.push({ taskArn: OLDEST, startedBy: 'ecs-svc/1', startedAt: 1_000 });
    ecs.desired = 3;
    await until('serving', async () => (await health()).status === 200);
    // Desired count 3 → 2: one surplus task; this one is the newest.
    ecs.desired = 2;
    await until('retiring', async () => (await health()).status === 503);
    expect((await health()).body.status).toBe('retiring');
    // ECS stopped another (idle, unprotected) task instead: no surplus left.
    ecs.tasks = ecs.tasks.filter((t) => t.taskArn !== OLDEST);
    await until('serving', async () => (await health()).status === 200);
  });

  it('keeps serving when another task is the surplus one', async () => {
    ecs.tasks = [
      { taskArn: SELF, startedBy: 'ecs-svc/1', startedAt: 1_000 },
      { taskArn: OLDER, startedBy: 'ecs-svc/1', startedAt: 2_000 },
    ];
    ecs.desired = 1;
    await new Promise((r) => setTimeout(r, 400));
    expect((await health()).status).toBe(200);
    // Back to the start state, desired count first, so no check sees this task as the newest surplus.
    ecs.desired = 2;
    ecs.tasks = [
      { taskArn: SELF, startedBy: 'ecs-svc/1', startedAt: 3_000 },
      { taskArn: OLDER, startedBy: 'ecs-svc/1', startedAt: 2_000 },
    ];
  });

  it('changes nothing while the ECS API fails', async () => {
    // A check still in flight from the previous test can mix its state with this one's: wait for
    // one that started after it (its DescribeServices is the second one from now).
    const from = ecs.checks;
    await until('a check of this test', () => ecs.checks >= from + 2);
    await until('serving', async () => (await health()).status === 200);
    ecs.failing = true;
    ecs.primary = 'ecs-svc/2';
    await new Promise((r) => setTimeout(r, 400));
    expect((await health()).status).toBe(200);
  });
});
