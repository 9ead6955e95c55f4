import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { createLogger } from '@pa-connector/logger';
import { createRegistry } from '@pa-connector/metrics';
import { decodeAppHealth, RedisKeys } from '@pa-connector/redis-contracts';
import { createRedis, type Redis, redisReadiness } from '@pa-connector/service-runtime';
import type { CatalogApp, HealthUpdate } from '@pa-connector/sse-api';
import {
  startRedis,
  startTcpRelay,
  stopAll,
  type TcpRelay,
  type TestRedis,
  waitFor,
} from '@pa-connector/test-support';
import IORedis from 'ioredis';
import { systemClock } from '../../../src/clock';
import { AppList } from '../../../src/health/app-source';
import { HealthChecker } from '../../../src/health/health-checker';
import { HealthUpdates } from '../../../src/health/health-updates';
import { AppNetwork, type AppServerProcess, startAppServer } from '../proxy/support/app-net';

afterAll(stopAll);

const INTERVAL_MS = 200;
const FAILURE_THRESHOLD = 2;

/**
 * The health checker and health updates wired as the connector wires them (its Redis client from
 * createRedis), with Redis behind a relay that can hang, and real app servers in a namespace.
 */
describe('app health while Redis hangs', () => {
  let redis: TestRedis;
  let relay: TcpRelay;
  let net: AppNetwork;
  const servers = new Map<string, AppServerProcess>();
  let client: Redis;
  let direct: IORedis;
  let gw: Server;
  const updates: Array<{ at: number; body: HealthUpdate }> = [];
  let checker: HealthChecker;
  let sender: HealthUpdates;
  const keys = () => new RedisKeys(redis.prefix);

  /** The state of an app in the latest health update the gateway received. */
  const gatewaySays = (id: string) =>
    updates.at(-1)?.body.apps.find((a) => a.id === id)?.state ?? 'none';
  const storedStatus = async (id: string) =>
    decodeAppHealth((await direct.hget(keys().appHealth(), id)) ?? '')?.status;
  const ready = () => redisReadiness(client).check();

  beforeAll(async () => {
    redis = await startRedis();
    relay = await startTcpRelay({ host: redis.host, port: redis.port });
    net = await AppNetwork.create(['app1']);
    const ns = net.host('app1').netns;
    for (const name of ['steady', 'dies-during-pause', 'dies-during-freeze']) {
      servers.set(name, await startAppServer(name, { netns: ns }));
    }
    gw = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => {
        body += d;
      });
      req.on('end', () => {
        updates.push({ at: performance.now(), body: JSON.parse(body) as HealthUpdate });
        res.writeHead(202).end('{"accepted":1}');
      });
    });
    await new Promise<void>((r) => gw.listen(0, '127.0.0.1', r));

    const logger = createLogger({
      service: 'connector',
      level: 'info',
      destination: new Writable({ write: (_c, _e, cb) => cb() }),
    });
    client = createRedis({ redisUrl: new URL(`redis://${relay.host}:${relay.port}`) }, logger);
    direct = new IORedis(redis.url);
    const a1 = net.host('app1');
    const apps: CatalogApp[] = [...servers.values()].map((s) => ({
      id: s.name,
      name: s.name,
      host: `${s.name}.internal`,
      port: 80,
      servers: [{ host: a1.ipv4, port: s.port }],
      strategy: 'round-robin',
      healthCheck: { type: 'tcp' },
    }));
    const registry = createRegistry('connector', { defaultMetrics: false });
    checker = new HealthChecker({
      apps: new AppList(apps),
      redis: client,
      keys: keys(),
      clock: systemClock,
      logger,
      registry,
      intervalMs: INTERVAL_MS,
      timeoutMs: 500,
      failureThreshold: FAILURE_THRESHOLD,
      recoveryThreshold: 2,
      concurrency: 4,
    });
    sender = new HealthUpdates({
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
    sender.setTunnels([
      {
        name: 'tun0',
        controlUrl: `http://127.0.0.1:${(gw.address() as AddressInfo).port}`,
        localAddress: '127.0.0.1',
      },
    ]);
    checker.start();
    sender.start();
    await waitFor(
      'every app up, in Redis too',
      async () =>
        [...servers.keys()].every((id) => gatewaySays(id) === 'up') &&
        (await Promise.all([...servers.keys()].map(storedStatus))).every((s) => s === 'up'),
      20_000,
    );
  });

  afterAll(async () => {
    relay?.resume();
    await sender?.stop();
    await checker?.stop();
    client?.disconnect();
    direct?.disconnect();
    await new Promise((r) => gw?.close(r));
    await relay?.close();
    await redis?.stop();
    await net?.destroy();
  });

  /** Kills the app server `name` and measures how long until the gateway is told it is down. */
  async function killAndTimeDown(name: string): Promise<number> {
    const killedAt = performance.now();
    await servers.get(name)?.stop();
    await waitFor(`${name} down in a health update`, () => gatewaySays(name) === 'down', 20_000);
    expect(checker.status(name)).toBe('down');
    expect(checker.status('steady')).toBe('up');
    return performance.now() - killedAt;
  }

  it('goes on probing while the relay to Redis holds every byte; Redis catches up on resume', async () => {
    relay.pause();
    const pausedAt = performance.now();
    try {
      const ms = await killAndTimeDown('dies-during-pause');
      console.log(`relay paused: app server down -> gateway told in ${Math.round(ms)} ms`);
      // The probes judged it from memory; Redis cannot know yet.
      await waitFor('/ready to report Redis not ok', () => !ready(), 30_000);
      const notOk = Math.round(performance.now() - pausedAt);
      console.log(`relay paused: readiness says Redis not ok ${notOk} ms after the pause`);
    } finally {
      relay.resume();
    }
    const resumedAt = performance.now();
    await waitFor(
      'Redis to catch up',
      async () => (await storedStatus('dies-during-pause')) === 'down',
      30_000,
    );
    console.log(
      `relay resumed: Redis has the truth ${Math.round(performance.now() - resumedAt)} ms later`,
    );
    await waitFor('/ready to report Redis ok again', () => ready(), 30_000);
  });

  it('goes on probing while redis-server is stopped (SIGSTOP); Redis catches up on SIGCONT', async () => {
    redis.freeze();
    try {
      const ms = await killAndTimeDown('dies-during-freeze');
      console.log(`redis-server stopped: app server down -> gateway told in ${Math.round(ms)} ms`);
      await waitFor('/ready to report Redis not ok', () => !ready(), 30_000);
    } finally {
      redis.thaw();
    }
    await waitFor(
      'Redis to catch up',
      async () => (await storedStatus('dies-during-freeze')) === 'down',
      30_000,
    );
    await waitFor('/ready to report Redis ok again', () => ready(), 30_000);
    expect(await storedStatus('steady')).toBe('up');
  });
});
