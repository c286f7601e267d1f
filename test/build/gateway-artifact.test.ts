import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY_METRIC, GATEWAY_SERVICE_NAME } from '#gateway/metrics/metric-names.ts';
import { AudioHookClient } from '#local/simulator/client.ts';
import { startEmulators, type Emulators } from '../support/emulators.ts';
import { bareEnv, buildIsolated } from './build-output.ts';

/**
 * The gateway as its container runs it: `npm run build`, `dist/gateway/` copied into an empty folder
 * outside the repository, started with plain `node main.mjs` in production mode against DynamoDB
 * (dynalite) through its bundled AWS SDK, and driven by a signed AudioHook session.
 */
const API_KEY = 'artifact-test-key';
const CLIENT_SECRET = Buffer.from('artifact-test-client-secret-32b!').toString('base64');

let built: ReturnType<typeof buildIsolated>;
let emulators: Emulators;
beforeAll(async () => {
  built = buildIsolated('gateway');
  emulators = await startEmulators({ prefix: 'artifact' });
}, 120_000);
afterAll(async () => {
  await emulators?.stop();
  built?.cleanup();
});

interface Started {
  child: ChildProcess;
  port: number;
  lines: string[];
  stop(): Promise<number | null>;
}

/** Starts `node main.mjs` in the isolated folder and waits for its "gateway listening" log line. */
async function startBuiltGateway(env: Record<string, string>): Promise<Started> {
  const child = spawn(process.execPath, ['--enable-source-maps', 'main.mjs'], {
    cwd: built.dir,
    env: bareEnv({
      NODE_ENV: 'production',
      GATEWAY_PORT: '0',
      GATEWAY_HOST: '127.0.0.1',
      CONTROL_PORT: '0',
      CONTROL_HOST: '127.0.0.1',
      CONTROL_SECRET: 'a-control-secret-of-at-least-32-characters',
      AUDIOHOOK_API_KEY: API_KEY,
      AUDIOHOOK_CLIENT_SECRET: CLIENT_SECRET,
      AUTH_FAILURE_FLOOR_MS: '0',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_ENDPOINT_URL_DYNAMODB: emulators.endpoints.dynamodb,
      CONVERSATIONS_TABLE: emulators.tables.conversations,
      MESSAGES_TABLE: emulators.tables.messages,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      POWERTOOLS_METRICS_DISABLED: 'true',
      ...env,
    }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  createInterface({ input: child.stderr }).on('line', (l) => lines.push(l));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway did not start:\n${lines.join('\n')}`)), 20_000);
    createInterface({ input: child.stdout }).on('line', (line) => {
      lines.push(line);
      if (!line.includes('"gateway listening"')) return;
      clearTimeout(timer);
      resolve((JSON.parse(line) as { port: number }).port);
    });
    void exited.then((code) => reject(new Error(`gateway exited with ${code}:\n${lines.join('\n')}`)));
  });
  return {
    child,
    port,
    lines,
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

describe('dist/gateway', () => {
  it('is self-contained: an ES module entry with no node_modules anywhere', () => {
    expect(existsSync(path.join(built.dir, 'main.mjs'))).toBe(true);
    expect(JSON.parse(readFileSync(path.join(built.dir, 'package.json'), 'utf8'))).toMatchObject({ type: 'module', main: 'main.mjs' });
    const all = readdirSync(built.dir, { recursive: true }).map(String);
    expect(all.filter((f) => f.split(path.sep).includes('node_modules'))).toEqual([]);
    // The embedded engine's native binding is not part of it.
    expect(all.some((f) => /koffi|soundswallower/.test(f))).toBe(false);
  });

  it.each(['none', 'transcribe'])('RECOGNIZER=%s: starts with plain node and serves a signed AudioHook session', async (recognizer) => {
    const gateway = await startBuiltGateway({ RECOGNIZER: recognizer });
    try {
      const health = await fetch(`http://127.0.0.1:${gateway.port}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: 'ok', sessions: 0 });

      const client = new AudioHookClient({
        url: `ws://127.0.0.1:${gateway.port}/audiohook/ws`,
        apiKey: API_KEY,
        clientSecret: CLIENT_SECRET,
      });
      await client.connect();
      const opened = await client.open();
      expect(opened.type).toBe('opened');
      expect(opened.parameters.media).toEqual([{ type: 'audio', format: 'PCMU', channels: ['external', 'internal'], rate: 8000 }]);
      // One second of two-channel µ-law silence in 100 ms frames.
      for (let i = 0; i < 10; i++) client.sendAudio(new Uint8Array(1600).fill(0xff));
      const during = (await (await fetch(`http://127.0.0.1:${gateway.port}/health`)).json()) as { sessions: number };
      expect(during.sessions).toBe(1);
      const closed = await client.close();
      expect(closed?.type).toBe('closed');
      expect(client.violations).toEqual([]);

      // The session registry was written through the bundled DynamoDB client.
      const item = await emulators.dynamodb.send(
        new GetItemCommand({
          TableName: emulators.tables.conversations,
          Key: { conversationId: { S: client.conversationId } },
          ConsistentRead: true,
        }),
      );
      expect(item.Item).toBeDefined();

      expect(await gateway.stop()).toBe(0);
    } finally {
      gateway.child.kill('SIGKILL');
    }
    expect(gateway.lines.join('\n')).not.toMatch(/ERR_MODULE_NOT_FOUND|Cannot find (module|package)/);
  });

  it('writes its metrics as CloudWatch EMF lines on stdout (GATEWAY_METRICS=emf): sessions, open latency, ping RTT, dropped frames, queue failures', async () => {
    const gateway = await startBuiltGateway({
      RECOGNIZER: 'none',
      GATEWAY_METRICS: 'emf',
      METRICS_INTERVAL_MS: '1000',
      POWERTOOLS_METRICS_DISABLED: 'false',
      POWERTOOLS_METRICS_NAMESPACE: 'ArtifactTest',
      POWERTOOLS_SERVICE_NAME: GATEWAY_SERVICE_NAME,
    });
    type Emf = {
      _aws: { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string }> }> };
    } & Record<string, unknown>;
    const emf = () => gateway.lines.filter((l) => l.includes('"_aws"')).map((l) => JSON.parse(l) as Emf);
    const until = async (check: () => boolean, what: string) => {
      const deadline = Date.now() + 15_000;
      while (!check()) {
        if (Date.now() > deadline) throw new Error(`no EMF line with ${what}:\n${gateway.lines.join('\n')}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    try {
      const client = new AudioHookClient({
        url: `ws://127.0.0.1:${gateway.port}/audiohook/ws`,
        apiKey: API_KEY,
        clientSecret: CLIENT_SECRET,
      });
      await client.connect();
      await client.open();
      await client.ping();
      await client.ping(); // the second ping carries the rtt the client measured with the first
      // A line written while the session is live: it counts it and samples the client's rtt.
      await until(() => emf().some((e) => e.LiveSessions === 1 && typeof e.PingRtt === 'number'), 'LiveSessions=1 and PingRtt');
      await client.close();
      await until(() => emf().some((e) => e.SessionsOpened === 1), 'SessionsOpened');
      await until(() => emf().some((e) => e.FramesDropped === 0), 'FramesDropped of the ended call');

      const lines = emf();
      for (const line of lines) {
        const [directive] = line._aws.CloudWatchMetrics;
        expect(directive.Namespace).toBe('ArtifactTest');
        expect(directive.Dimensions).toEqual([['service']]);
        expect(line.service).toBe(GATEWAY_SERVICE_NAME);
        // Every metric named in the directive has its value on the line.
        for (const m of directive.Metrics) expect(line[m.Name], m.Name).toBeDefined();
      }
      const opened = lines.find((e) => e.SessionsOpened === 1)!;
      expect(opened.OpenLatency).toBeGreaterThanOrEqual(0);
      const names = new Set(lines.flatMap((l) => l._aws.CloudWatchMetrics[0].Metrics.map((m) => m.Name)));
      for (const name of [
        GATEWAY_METRIC.liveSessions,
        GATEWAY_METRIC.sessionsOpened,
        GATEWAY_METRIC.openLatency,
        GATEWAY_METRIC.pingRtt,
        GATEWAY_METRIC.framesDropped,
        GATEWAY_METRIC.queuePublishFailures,
      ]) {
        expect(names.has(name), name).toBe(true);
      }
      expect(await gateway.stop()).toBe(0);
    } finally {
      gateway.child.kill('SIGKILL');
    }
  });

  it('RECOGNIZER=embedded is refused at start with a clear message, not a missing-module crash', async () => {
    await expect(startBuiltGateway({ RECOGNIZER: 'embedded' })).rejects.toThrow(/RECOGNIZER=embedded is not available in this build/);
  });
});
