import { createServer, type Server } from 'node:net';
import type { CatalogApp } from '@pa-connector/sse-api';
import { startRedis, stopAll, type TestRedis, waitFor } from '@pa-connector/test-support';
import { systemClock } from '../../../src/clock';
import { DialPolicy } from '../../../src/dial/dial-policy';
import { HostResolver } from '../../../src/dial/host-resolver';
import { popNetworks } from '../../../src/dial/pop-networks';
import { startDnsServer, type TestDnsServer } from '../../support/dns-server';
import { AppNetwork, type AppServerProcess, startAppServer } from '../proxy/support/app-net';
import { connectVia } from '../proxy/support/connect-client';
import { type DataPath, startDataPath } from '../proxy/support/data-path';

afterAll(stopAll);

/** A route table (as /proc/net/route prints it) whose default route is `gateway` via `iface`. */
function routeTable(iface: string, gateway: string): string {
  const hex = gateway
    .split('.')
    .map(Number)
    .reverse()
    .map((b) => b.toString(16).padStart(2, '0'))
    .join('')
    .toUpperCase();
  return `Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\tMTU\tWindow\tIRTT\n${iface}\t00000000\t${hex}\t0003\t0\t0\t0\t00000000\t0\t0\t0\n`;
}

/** A listener on one of this host's own addresses that counts who connects to it. */
async function countingListener(
  address: string,
): Promise<{ server: Server; port: number; count(): number }> {
  let n = 0;
  const server = createServer((s) => {
    n++;
    s.end('own\n');
  });
  await new Promise<void>((r) => server.listen(0, address, r));
  const a = server.address();
  return { server, port: typeof a === 'object' && a ? a.port : 0, count: () => n };
}

async function conns(app: AppServerProcess, host: string): Promise<number> {
  const { connect } = await import('node:net');
  return new Promise((resolve, reject) => {
    const s = connect({ host, port: app.port });
    let text = '';
    s.on('data', (d) => {
      text += d;
    });
    s.on('error', reject);
    s.on('end', () => resolve(Number(text.trim())));
    s.write('conns\n');
  });
}

/**
 * A POP laid out as deployed: an internal network (Redis, the logging service) reached through
 * one interface, the app LAN behind the default route through another (a neighbour app server
 * and the gateway, i.e. the Docker bridge), and the connector's own address on the LAN.
 */
describe("the POP's own addresses are refused to the proxy and the probes (namespaces and veth)", () => {
  let redis: TestRedis;
  let lan: AppNetwork;
  let internal: AppNetwork;
  let dns: TestDnsServer;
  const servers: Record<string, AppServerProcess> = {};
  let own: Awaited<ReturnType<typeof countingListener>>;
  let policy: DialPolicy;
  let resolver: HostResolver;
  /** What rebind.lan resolves to now: first an allowed address, then the connector's own. */
  let rebindTo = '';
  const paths: DataPath[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    lan = await AppNetwork.create(['neighbour', 'gw']);
    internal = await AppNetwork.create(['redis', 'logging']);
    for (const [net, role] of [
      [lan, 'neighbour'],
      [lan, 'gw'],
      [internal, 'redis'],
      [internal, 'logging'],
    ] as const) {
      servers[role] = await startAppServer(role, { netns: net.host(role).netns });
    }
    // A second server on the neighbour, only for the rebinding test (nothing else probes it).
    servers.rebind = await startAppServer('neighbour', { netns: lan.host('neighbour').netns });
    own = await countingListener(lan.local4);
    dns = await startDnsServer((name, type) => {
      if (type !== 'A') return [];
      if (name === 'self.lan') return [lan.local4];
      if (name === 'neighbour.lan') return [lan.host('neighbour').ipv4];
      if (name === 'rebind.lan') return [rebindTo];
      return [];
    });
    resolver = new HostResolver({ clock: systemClock, deadlineMs: 2_000, servers: [dns.server] });
    policy = new DialPolicy({
      clock: systemClock,
      networks: popNetworks({
        redisAddresses: [internal.host('redis').ipv4],
        routeTable: routeTable(lan.ifname, lan.host('gw').ipv4),
        inContainer: true,
      }),
    });
  }, 60_000);

  afterAll(async () => {
    for (const dp of paths) await dp.stop();
    for (const s of Object.values(servers)) await s.stop();
    own?.server.close();
    await dns?.close();
    await lan?.destroy();
    await internal?.destroy();
    await redis?.stop();
  });

  const app = (id: string, host: string, port: number): CatalogApp => ({
    id,
    name: id,
    host: `${id}.internal`,
    port: 80,
    servers: [{ host, port }],
    strategy: 'round-robin',
    healthCheck: { type: 'tcp' },
  });

  const start = async (
    apps: CatalogApp[],
    o: { allUp?: boolean; healthIntervalMs?: number } = {},
  ) => {
    const dp = startDataPath({
      redisUrl: redis.url,
      prefix: `${redis.prefix}${paths.length}:`,
      addresses: ['127.0.0.1'],
      apps,
      resolve: (host, deadlineMs) => resolver.resolveAll(host, deadlineMs),
      policy,
      ...(o.allUp ? { isUp: () => true } : {}),
      ...(o.healthIntervalMs ? { healthIntervalMs: o.healthIntervalMs } : {}),
    });
    paths.push(dp);
    await waitFor('listening', () => dp.proxy.port('127.0.0.1'));
    return { dp, via: { host: '127.0.0.1', port: dp.proxy.port('127.0.0.1') as number } };
  };

  it('derives the internal network from where Redis is, and the bridge gateway, not the LAN', () => {
    const internalNet = `${internal.host('redis').ipv4.replace(/\.\d+$/, '.250')}/24`;
    expect(policy.networks()).toEqual([internalNet, `${lan.host('gw').ipv4}/32`]);
  });

  it('probes and proxy refuse the own address, Redis, the logging API and the bridge; a LAN neighbour is served', async () => {
    const port = (role: string) => servers[role]?.port as number;
    const forbidden: Array<[string, string, number]> = [
      ['self', lan.local4, own.port],
      ['loopback', '127.0.0.1', own.port],
      ['selfname', 'self.lan', own.port],
      ['redis', internal.host('redis').ipv4, port('redis')],
      ['logapi', internal.host('logging').ipv4, port('logging')],
      ['bridge', lan.host('gw').ipv4, port('gw')],
    ];
    const before = {
      redis: await conns(servers.redis as AppServerProcess, internal.host('redis').ipv4).catch(
        () => -1,
      ),
    };
    const { dp, via } = await start([
      ...forbidden.map(([id, host, p]) => app(id, host, p)),
      app('neighbour', lan.host('neighbour').ipv4, port('neighbour')),
    ]);
    await waitFor('neighbour up', () => dp.health.status('neighbour') === 'up', 15_000);
    // Down because they were refused (not merely not probed yet).
    const refusedProbe = (id: string) =>
      dp.health
        .snapshot()
        .find((a) => a.appId === id)
        ?.servers[0]?.error?.startsWith('forbidden');
    await waitFor(
      'forbidden apps down',
      () => forbidden.every(([id]) => dp.health.status(id) === 'down' && refusedProbe(id)),
      15_000,
    );
    const snapshot = dp.health.snapshot();
    for (const [id] of forbidden) {
      const error = snapshot.find((a) => a.appId === id)?.servers[0]?.error ?? '';
      expect([id, error]).toEqual([id, expect.stringMatching(/^forbidden address /)]);
    }
    expect(snapshot.find((a) => a.appId === 'self')?.servers[0]?.error).toContain(
      'an address of this connector',
    );
    expect(snapshot.find((a) => a.appId === 'redis')?.servers[0]?.error).toContain(
      "a network of the POP's own services",
    );

    const ok = await connectVia(via, 'neighbour.internal:80');
    expect(ok.status).toBe(200);
    ok.socket.write('who\n');
    expect(await ok.line()).toBe('neighbour');
    ok.socket.destroy();

    // Even if the balancer were to pick them, the proxy refuses to dial them.
    const { via: via2 } = await start(
      forbidden.map(([id, host, p]) => app(id, host, p)),
      { allUp: true },
    );
    for (const [id] of forbidden) {
      const t = await connectVia(via2, `${id}.internal:80`);
      expect([id, t.status]).toEqual([id, 403]);
      expect(t.answer).toContain('forbidden address');
    }
    expect(own.count()).toBe(0);
    // Only this test's own "conns" questions reached the Redis stand-in.
    expect(await conns(servers.redis as AppServerProcess, internal.host('redis').ipv4)).toBe(
      before.redis + 1,
    );
  }, 60_000);

  it('DNS rebinding: the address dialed is the address checked', async () => {
    const neighbour = servers.rebind as AppServerProcess;
    rebindTo = lan.host('neighbour').ipv4;
    // One probe round at start (the name then resolves to the neighbour), none after.
    const { dp, via } = await start([app('rebind', 'rebind.lan', neighbour.port)], {
      healthIntervalMs: 600_000,
    });
    await waitFor('rebind up', () => dp.health.status('rebind') === 'up', 15_000);
    const dialedBefore = await conns(neighbour, lan.host('neighbour').ipv4);
    const asked = dns.questions.filter((q) => q === 'A rebind.lan').length;
    const first = await connectVia(via, 'rebind.internal:80');
    expect(first.status).toBe(200);
    first.socket.write('who\n');
    expect(await first.line()).toBe('neighbour');
    first.socket.destroy();
    // Now the name points at the connector itself: refused, and nothing dials it.
    rebindTo = lan.local4;
    const second = await connectVia(via, 'rebind.internal:80');
    expect(second.status).toBe(403);
    expect(second.answer).toContain('forbidden address');
    expect(own.count()).toBe(0);
    // Each request resolved once, and only the first (allowed) answer was dialed.
    expect(dns.questions.filter((q) => q === 'A rebind.lan').length).toBe(asked + 2);
    expect(await conns(neighbour, lan.host('neighbour').ipv4)).toBe(dialedBefore + 2);
  }, 30_000);
});
