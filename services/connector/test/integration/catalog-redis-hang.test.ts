import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { type CatalogSnapshot, RedisKeys } from '@pa-connector/redis-contracts';
import {
  freePort,
  startRedis,
  startTcpRelay,
  stopAll,
  type TcpRelay,
  type TestRedis,
  waitFor,
} from '@pa-connector/test-support';
import { type EmulatorHarness, startEmulatorHarness } from '@pa-connector/test-support/emulator';
import IORedis from 'ioredis';
import type { DataPath } from '../../src/proxy/data-path';
import { type InProcessConnector, scratch, startInProcess, testEnv } from '../support/connector';
import { type AppServerProcess, startAppServer } from './proxy/support/app-net';
import { connectVia } from './proxy/support/connect-client';

afterAll(stopAll);

/**
 * Longer than the default so that a sync that waits on Redis stands out clearly against
 * `NEW_APP_WITHIN_MS`, whatever the load on the machine.
 */
const REDIS_COMMAND_TIMEOUT = '10s';
/** A new catalog version must be served within this, Redis hanging or not (syncs run every 300 ms). */
const NEW_APP_WITHIN_MS = 5_000;
/** New catalog versions published one after the other at the start of each hang. */
const VERSIONS_PER_HANG = 3;
const PROXY_HOST = '127.0.0.2';

/**
 * The connector in this process, wired as main.ts wires it, with its Redis behind a relay that can
 * hang, the emulator serving the catalog, and real app servers. Only the tunnels are left out: the
 * proxy is given a loopback address as a tunnel's.
 */
describe('catalog sync while Redis hangs', () => {
  let redis: TestRedis;
  let relay: TcpRelay;
  let direct: IORedis;
  let emu: EmulatorHarness;
  let tmp: ReturnType<typeof scratch>;
  let gw: Server;
  let c: InProcessConnector;
  let groupId: string;
  let proxyPort: number;
  let keys: RedisKeys;
  const servers = new Map<string, AppServerProcess>();
  /** The catalog as the emulator has it now (the connector must follow). */
  const published: string[] = [];

  const entry = (id: string) => ({
    id,
    name: `App ${id}`,
    host: `${id}.internal`,
    port: 80,
    servers: [{ host: '127.0.0.1', port: servers.get(id)?.port }],
  });
  const publish = async (ids: string[]) => {
    for (const id of ids) {
      if (!servers.has(id)) servers.set(id, await startAppServer(id, { host: '127.0.0.1' }));
    }
    await emu.admin.setApps(groupId, ids.map(entry));
    published.splice(0, published.length, ...ids);
  };
  /** A user's CONNECT to `id` through the proxy: 200 and the app's own answer, or why not. */
  const reach = async (id: string): Promise<string> => {
    const t = await connectVia({ host: PROXY_HOST, port: proxyPort }, `${id}.internal:80`, {
      timeoutMs: 5_000,
    });
    try {
      if (t.status !== 200) return `status ${t.status}`;
      t.socket.write('who\n');
      const who = await t.line(5_000);
      return who === id ? 'ok' : `answered by ${who}`;
    } finally {
      t.socket.destroy();
    }
  };
  const stored = async () => {
    const text = await direct.get(keys.catalog());
    return text ? (JSON.parse(text) as CatalogSnapshot<{ id: string }>) : undefined;
  };
  const dataPath = () => c.service.dataPath as DataPath;

  beforeAll(async () => {
    redis = await startRedis();
    keys = new RedisKeys(redis.prefix);
    relay = await startTcpRelay({ host: redis.host, port: redis.port });
    direct = new IORedis(redis.url);
    tmp = scratch();
    emu = await startEmulatorHarness();
    groupId = await emu.admin.group();
    await publish(['steady']);
    const { key } = await emu.admin.key(groupId);
    gw = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(202).end('{"accepted":1}'));
    });
    await new Promise<void>((r) => gw.listen(0, '127.0.0.1', r));
    proxyPort = await freePort(PROXY_HOST);
    c = await startInProcess(
      testEnv({
        sseUrls: [emu.sseUrl],
        caCertPath: emu.caCertPath,
        dataDir: join(tmp.dir, 'data'),
        redisUrl: `redis://${relay.host}:${relay.port}`,
        redisPrefix: redis.prefix,
        keyFile: tmp.file('key', key),
        extra: {
          PA_REDIS_COMMAND_TIMEOUT: REDIS_COMMAND_TIMEOUT,
          PA_PROXY_PORT: String(proxyPort),
          PA_ALLOW_LOOPBACK_SERVERS: 'true',
          PA_HEALTH_INTERVAL: '200ms',
          PA_HEALTH_UPDATE_INTERVAL: '500ms',
        },
      }),
    );
    await waitFor('the data path', () => c.service.dataPath, 20_000);
    dataPath().setTunnels([
      {
        name: 'tun0',
        controlUrl: `http://127.0.0.1:${(gw.address() as AddressInfo).port}`,
        localAddress: PROXY_HOST,
      },
    ]);
    await waitFor('steady served', async () => (await reach('steady')) === 'ok', 20_000);
    await waitFor(
      'the catalog in Redis',
      async () => (await stored())?.apps.some((a) => a.id === 'steady'),
      20_000,
    );
  });

  afterAll(async () => {
    relay?.resume();
    try {
      redis?.thaw();
    } catch {
      // not frozen, or already gone
    }
    await c?.stop();
    direct?.disconnect();
    await new Promise((r) => gw?.close(r));
    await emu?.stop();
    await relay?.close();
    await redis?.stop();
    for (const s of servers.values()) await s.stop();
    tmp?.cleanup();
  });

  /**
   * While Redis hangs: users of `steady` are served throughout, and new catalog versions (each
   * adding an app) are published one after the other; each new app must be served within
   * `NEW_APP_WITHIN_MS`. Returns how long each took.
   */
  async function newVersionsWhileHanging(tag: string): Promise<number[]> {
    const failures: string[] = [];
    let users = 0;
    let stopUsers = false;
    const steadyUsers = (async () => {
      while (!stopUsers) {
        users++;
        const r = await reach('steady').catch((err: Error) => err.message);
        if (r !== 'ok') failures.push(r);
        await new Promise((res) => setTimeout(res, 200));
      }
    })();
    const took: number[] = [];
    const newVersion = async (id: string) => {
      await publish([...published, id]);
      const from = performance.now();
      await waitFor(
        `${id} served`,
        async () => (await reach(id)) === 'ok',
        // Long enough to measure a slow connector; the bound is asserted below.
        NEW_APP_WITHIN_MS * 5,
        100,
      );
      took.push(Math.round(performance.now() - from));
    };
    try {
      // One after the other while the copy of the first waits on Redis...
      for (let i = 1; i <= VERSIONS_PER_HANG; i++) await newVersion(`${tag}-${i}`);
      // ...and once more after the client gave up on the silent connection and reconnects.
      await waitFor(
        'the connector to drop its silent Redis connection',
        () => c.service.redis.status !== 'ready',
        60_000,
      );
      await newVersion(`${tag}-${VERSIONS_PER_HANG + 1}`);
    } finally {
      stopUsers = true;
      await steadyUsers;
    }
    console.log(`${tag}: new apps served after ${took.join(', ')} ms; ${users} steady users`);
    expect(failures).toEqual([]);
    expect(users).toBeGreaterThan(3);
    expect(Math.max(...took)).toBeLessThan(NEW_APP_WITHIN_MS);
    return took;
  }

  /** Each hang starts from a connector whose Redis works and holds the current catalog. */
  async function settled(): Promise<void> {
    await waitFor(
      'the connector connected to Redis',
      () => c.service.redis.status === 'ready',
      30_000,
    );
    await waitFor(
      'the current catalog in Redis',
      async () => (await stored())?.apps.map((a) => a.id).join() === published.join(),
      30_000,
    );
  }

  /** After Redis answers again it holds the newest catalog. */
  async function redisCatchesUp(tag: string): Promise<void> {
    const from = performance.now();
    const newest = await waitFor(
      'the newest catalog in Redis',
      async () => {
        const s = await stored();
        return s && s.apps.map((a) => a.id).join() === published.join() ? s : undefined;
      },
      30_000,
    );
    console.log(
      `${tag}: Redis has the newest catalog ${Math.round(performance.now() - from)} ms after resuming`,
    );
    expect(newest.version).toBe(c.service.controlPlane.catalog.snapshot?.version);
  }

  it('follows new catalog versions and serves users while the relay to Redis holds every byte', async () => {
    await settled();
    relay.pause();
    try {
      await newVersionsWhileHanging('paused');
      // Redis could not have it.
      expect((await stored())?.apps.map((a) => a.id)).not.toContain('paused-1');
    } finally {
      relay.resume();
    }
    await redisCatchesUp('relay resumed');
  });

  it('follows new catalog versions and serves users while redis-server is stopped (SIGSTOP)', async () => {
    await settled();
    redis.freeze();
    try {
      await newVersionsWhileHanging('frozen');
    } finally {
      redis.thaw();
    }
    await redisCatchesUp('redis-server continued');
  });
});
