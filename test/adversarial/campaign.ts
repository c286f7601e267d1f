import { connect } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { AudioHookClient } from '#local/simulator/client.ts';
import { startTestGateway, TEST_API_KEY, TEST_CLIENT_SECRET } from '../support/gateway.ts';
import { connectRawPeer } from './support.ts';

/**
 * `npm run adversarial [-- --seconds N --rate R]`: the long adversarial run. For N seconds (default
 * 120) one gateway serves a live signed call that pings every second, while attackers keep coming: R
 * unauthenticated peers per second flooding pings, garbage and audio without reading; authenticated
 * peers that flood pings without reading; calls reporting absurd discarded durations; and raw
 * malformed HTTP. Prints one JSON line; exits non-zero when a bound breaks (live call's ping RTT over
 * 1 s, RSS growth over 300 MB, sessions or sockets left behind).
 */
const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const seconds = option('seconds', 120);
const rate = option('rate', 25);

const gw = await startTestGateway({ env: { AUTH_FAILURE_FLOOR_MS: '200', MAX_SESSIONS: '200' } });
const port = Number(new URL(gw.httpUrl).port);
const counts = { bogusPeers: 0, nonReaders: 0, absurdDurations: 0, malformedHttp: 0, refusedUpgrades: 0 };
const stopAt = Date.now() + seconds * 1000;
const rssBefore = process.memoryUsage().rss;
const lag = monitorEventLoopDelay({ resolution: 1 });
lag.enable();

const live = new AudioHookClient(gw.clientOptions);
await live.start();
let worstRtt = 0;
const liveLoop = (async () => {
  while (Date.now() < stopAt) {
    worstRtt = Math.max(worstRtt, await live.ping());
    await new Promise((r) => setTimeout(r, 1_000));
  }
})();

async function bogusPeer(): Promise<void> {
  const peer = await connectRawPeer(gw).catch(() => undefined);
  if (!peer) return void counts.refusedUpgrades++;
  counts.bogusPeers++;
  peer.ws.pause();
  for (let i = 0; i < 2_000 && peer.ws.readyState === peer.ws.OPEN; i++) {
    if (i % 3 === 0) peer.send('ping', {}, i * 5);
    else if (i % 3 === 1) peer.ws.send('{not json');
    else peer.ws.send(Buffer.alloc(1600), { binary: true });
    if (i % 200 === 0) await new Promise((r) => setImmediate(r));
  }
  await Promise.race([peer.closed, new Promise((r) => setTimeout(r, 5_000))]);
  peer.ws.terminate();
}

async function nonReader(): Promise<void> {
  const peer = await connectRawPeer(gw, { apiKey: TEST_API_KEY, clientSecret: TEST_CLIENT_SECRET }).catch(() => undefined);
  if (!peer) return void counts.refusedUpgrades++;
  counts.nonReaders++;
  peer.send('open', {
    organizationId: undefined,
    conversationId: crypto.randomUUID(),
    participant: { id: crypto.randomUUID() },
    media: [],
  });
  peer.ws.pause();
  for (let round = 0; round < 20 && peer.ws.readyState === peer.ws.OPEN; round++) {
    for (let i = 0; i < 5_000; i++) peer.send('ping', {});
    await new Promise((r) => setTimeout(r, 50));
  }
  peer.ws.terminate();
}

async function absurdDurations(): Promise<void> {
  const c = new AudioHookClient(gw.clientOptions);
  await c.start();
  counts.absurdDurations++;
  for (const d of ['PT1000000000000000S', 'PT1200000000000S', 'P99999999W', 'PT604800S'])
    c.sendMessage('discarded', { start: 'PT0S', discarded: d });
  c.sendAudio(new Uint8Array(3_200).fill(0x55));
  await c.close();
}

const MALFORMED = [
  'GET // HTTP/1.1\r\n\r\n',
  'GET /%ZZ HTTP/1.1\r\nHost: x\r\n\r\n',
  'POST /health HTTP/1.1\r\nContent-Length: 100\r\n\r\n{',
  '\x16\x03\x01\x00',
  'GET / HTTP/1.1\r\nX: \x00\r\n\r\n',
];
function malformed(): Promise<void> {
  counts.malformedHttp++;
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => resolve());
    socket.on('connect', () => {
      socket.write(MALFORMED[counts.malformedHttp % MALFORMED.length]);
      setTimeout(() => {
        socket.destroy();
        resolve();
      }, 200);
    });
  });
}

const running = new Set<Promise<void>>();
const launch = (work: () => Promise<void>) => {
  const p = work()
    .catch(() => undefined)
    .finally(() => running.delete(p));
  running.add(p);
};
let tick = 0;
while (Date.now() < stopAt) {
  for (let i = 0; i < rate / 10; i++) launch(bogusPeer);
  if (tick % 50 === 0) launch(nonReader);
  if (tick % 20 === 0) launch(absurdDurations);
  launch(malformed);
  tick++;
  await new Promise((r) => setTimeout(r, 100));
}
await liveLoop;
await Promise.all(running);
await live.close();
await new Promise((r) => setTimeout(r, 3_000));
lag.disable();
global.gc?.();
const result = {
  bench: 'adversarial',
  seconds,
  rate,
  ...counts,
  liveCallWorstPingRttMs: Math.round(worstRtt),
  liveCallViolations: live.violations.length,
  rssGrowthMb: Math.round((process.memoryUsage().rss - rssBefore) / 1e6),
  lagP99Ms: Math.round(lag.percentile(99) / 1e5) / 10,
  lagMaxMs: Math.round(lag.max / 1e5) / 10,
  sessionsLeft: gw.server.sessions.size,
  socketsLeft: gw.server.connectionCount,
};
console.log(JSON.stringify(result));
const holds =
  result.liveCallWorstPingRttMs < 1_000 &&
  result.rssGrowthMb < 300 &&
  result.sessionsLeft === 0 &&
  result.socketsLeft === 0 &&
  result.liveCallViolations === 0;
await gw.close();
process.exit(holds ? 0 : 1);
