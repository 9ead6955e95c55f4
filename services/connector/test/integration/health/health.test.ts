import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { createLogger } from '@pa-connector/logger';
import { createRegistry } from '@pa-connector/metrics';
import {
  type AppHealth,
  type ChangeMessage,
  decodeAppHealth,
  decodeChange,
  RedisKeys,
} from '@pa-connector/redis-contracts';
import type { CatalogApp, HealthUpdate } from '@pa-connector/sse-api';
import {
  spawnTracked,
  startRedis,
  stopAll,
  type TestRedis,
  type TrackedProcess,
  waitFor,
} from '@pa-connector/test-support';
import Redis from 'ioredis';
import { systemClock } from '../../../src/clock';
import { AppList } from '../../../src/health/app-source';
import { HealthChecker } from '../../../src/health/health-checker';
import { HealthUpdates } from '../../../src/health/health-updates';
import { AppNetwork, type AppServerProcess, startAppServer } from '../proxy/support/app-net';

afterAll(stopAll);

/** A gateway control endpoint stand-in inside a namespace: prints each POST body as one line. */
const GATEWAY_SCRIPT = `
const http = require('node:http');
const [host, port] = process.argv.slice(1);
http.createServer((req, res) => {
  let body = '';
  req.on('data', (d) => (body += d));
  req.on('end', () => {
    console.log('update ' + JSON.stringify({ path: req.url, from: req.socket.remoteAddress, body: JSON.parse(body) }));
    res.writeHead(202, { 'content-type': 'application/json' }).end('{"accepted":1}');
  });
}).listen(Number(port), host, () => console.log('listening'));
`;

interface Received {
  path: string;
  from: string;
  body: HealthUpdate;
  at: number;
}

describe('app health: probes, Redis, health updates to gateways', () => {
  let redis: TestRedis;
  let net: AppNetwork;
  let web1: AppServerProcess;
  let web2: AppServerProcess;
  let loop: AppServerProcess;
  let gw2: TrackedProcess;
  let gw1: Server;
  const gw1Received: Received[] = [];
  let sub: Redis;
  let reader: Redis;
  const announcements: ChangeMessage[] = [];
  let checker: HealthChecker;
  let updates: HealthUpdates;
  const lines: string[] = [];
  const keys = () => new RedisKeys(redis.prefix);
  const stored = async (id: string): Promise<AppHealth | undefined> =>
    decodeAppHealth((await reader.hget(keys().appHealth(), id)) ?? '');
  const gw2Received = (): Received[] =>
    gw2.lines
      .filter((l) => l.startsWith('update '))
      .map((l) => ({ ...(JSON.parse(l.slice(7)) as Omit<Received, 'at'>), at: 0 }));

  beforeAll(async () => {
    redis = await startRedis();
    net = await AppNetwork.create(['app1', 'app2', 'gw2']);
    [web1, web2, loop] = await Promise.all([
      startAppServer('web1', { netns: net.host('app1').netns }),
      startAppServer('web2', { netns: net.host('app2').netns }),
      startAppServer('loop', { host: '::1' }),
    ]);
    gw2 = spawnTracked('ip', [
      'netns',
      'exec',
      net.host('gw2').netns,
      process.execPath,
      '-e',
      GATEWAY_SCRIPT,
      net.host('gw2').ipv6,
      '8900',
    ]);
    await gw2.waitForLine(/^listening/);
    gw1 = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => {
        body += d;
      });
      req.on('end', () => {
        gw1Received.push({
          path: req.url ?? '',
          from: req.socket.remoteAddress ?? '',
          body: JSON.parse(body) as HealthUpdate,
          at: performance.now(),
        });
        res.writeHead(202).end('{"accepted":1}');
      });
    });
    await new Promise<void>((r) => gw1.listen(0, '127.0.0.1', r));

    reader = new Redis(redis.url);
    sub = new Redis(redis.url);
    await sub.subscribe(keys().channel('apps'));
    sub.on('message', (_ch, msg) => {
      const m = decodeChange(msg);
      if (m) announcements.push(m);
    });

    const logger = createLogger({
      service: 'connector',
      level: 'debug',
      destination: new Writable({
        write(chunk, _e, cb) {
          lines.push(...String(chunk).split('\n').filter(Boolean));
          cb();
        },
      }),
    });
    const registry = createRegistry('connector', { defaultMetrics: false });
    const a1 = net.host('app1');
    const a2 = net.host('app2');
    const apps: CatalogApp[] = [
      {
        id: 'web',
        name: 'Web',
        host: 'web.internal',
        port: 80,
        servers: [
          { host: a1.ipv4, port: web1.port },
          { host: a2.ipv6, port: web2.port },
        ],
        strategy: 'round-robin',
        healthCheck: { type: 'http', path: '/health', expectStatus: 200 },
      },
      {
        id: 'loop6',
        name: 'Loop',
        host: 'loop.internal',
        port: 22,
        servers: [{ host: '::1', port: loop.port }],
        strategy: 'round-robin',
        healthCheck: { type: 'tcp' },
      },
    ];
    checker = new HealthChecker({
      apps: new AppList(apps),
      redis: reader,
      keys: keys(),
      clock: systemClock,
      logger,
      registry,
      intervalMs: 200,
      timeoutMs: 300,
      failureThreshold: 2,
      recoveryThreshold: 2,
      concurrency: 4,
    });
    updates = new HealthUpdates({
      health: checker,
      connectorId: 'conn-test',
      proxyPort: 3128,
      clock: systemClock,
      logger,
      registry,
      intervalMs: 1_000,
      timeoutMs: 1_000,
      debounceMs: 20,
    });
    updates.setTunnels([
      {
        name: 'tun0',
        controlUrl: `http://127.0.0.1:${(gw1.address() as AddressInfo).port}`,
        localAddress: '127.0.0.2',
      },
      {
        name: 'tun1',
        controlUrl: `http://[${net.host('gw2').ipv6}]:8900/`,
        localAddress: net.local6,
      },
    ]);
    checker.start();
    updates.start();
  });

  afterAll(async () => {
    await updates?.stop();
    await checker?.stop();
    sub?.disconnect();
    reader?.disconnect();
    await new Promise((r) => gw1?.close(r));
    await net?.destroy();
    await redis?.stop();
  });

  it('probes HTTP over IPv4 and IPv6 servers in namespaces and TCP on ::1: every app up in Redis', async () => {
    await waitFor('web up in Redis', async () => (await stored('web'))?.status === 'up', 5_000);
    await waitFor('loop6 up in Redis', async () => (await stored('loop6'))?.status === 'up', 5_000);
    const web = await stored('web');
    expect(web?.servers.map((s) => [s.server, s.up])).toEqual([
      [`${net.host('app1').ipv4}:${web1.port}`, true],
      [`[${net.host('app2').ipv6}]:${web2.port}`, true],
    ]);
    expect(announcements.some((a) => a.topic === 'apps' && a.id === 'web')).toBe(true);
  });

  it('sends health updates over both tunnels from the tunnel addresses, with tunnel and proxyPort', async () => {
    await waitFor('gw1 has an update with web up', () =>
      gw1Received.find((r) => r.body.apps.find((a) => a.id === 'web')?.state === 'up'),
    );
    await waitFor('gw2 has an update with web up', () =>
      gw2Received().find((r) => r.body.apps.find((a) => a.id === 'web')?.state === 'up'),
    );
    const u1 = gw1Received.at(-1) as Received;
    expect(u1.path).toBe('/health');
    expect(u1.from).toBe('127.0.0.2');
    expect(u1.body).toMatchObject({ connectorId: 'conn-test', tunnel: 'tun0', proxyPort: 3128 });
    const u2 = gw2Received().at(-1) as Received;
    expect(u2.path).toBe('/health');
    expect(u2.from).toBe(net.local6);
    expect(u2.body).toMatchObject({ tunnel: 'tun1', proxyPort: 3128 });
    expect(u2.body.apps.find((a) => a.id === 'web')?.servers).toContainEqual({
      host: net.host('app2').ipv6,
      port: web2.port,
      up: true,
    });
  });

  it('goes unhealthy with one server down and down with both, in Redis and in updates at once', async () => {
    const before = gw1Received.length;
    const t0 = performance.now();
    await web2.stop();
    await waitFor(
      'web unhealthy',
      async () => (await stored('web'))?.status === 'unhealthy',
      5_000,
    );
    const detected = performance.now() - t0;
    const upd = await waitFor('an update saying unhealthy', () =>
      gw1Received
        .slice(before)
        .find((r) => r.body.apps.find((a) => a.id === 'web')?.state === 'unhealthy'),
    );
    console.log(
      `one server stopped: unhealthy in Redis after ${detected.toFixed(0)} ms (interval 200 ms, threshold 2); ` +
        `update at the gateway after ${(upd.at - t0).toFixed(0)} ms (periodic interval 1000 ms)`,
    );
    const web = await stored('web');
    expect(web?.servers.find((s) => s.server.startsWith('['))).toMatchObject({
      up: false,
      failures: 2,
    });
    expect(web?.servers.find((s) => s.server.startsWith('['))?.error).toBeTruthy();

    await web1.stop();
    await waitFor('web down', async () => (await stored('web'))?.status === 'down', 5_000);
    await waitFor('gw2 told down', () =>
      gw2Received().find((r) => r.body.apps.find((a) => a.id === 'web')?.state === 'down'),
    );
    expect(announcements.filter((a) => a.id === 'web').length).toBeGreaterThanOrEqual(3);
    expect(lines.some((l) => l.includes('"msg":"app is down"'))).toBe(true);
  });

  it('comes back up when the servers return', async () => {
    web1 = await startAppServer('web1', { netns: net.host('app1').netns, port: web1.port });
    web2 = await startAppServer('web2', { netns: net.host('app2').netns, port: web2.port });
    await waitFor('web up again', async () => (await stored('web'))?.status === 'up', 5_000);
  });
});
