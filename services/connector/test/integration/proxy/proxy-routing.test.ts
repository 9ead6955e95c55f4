import { decodeAppHealth, RedisKeys } from '@pa-connector/redis-contracts';
import type { CatalogApp } from '@pa-connector/sse-api';
import { startRedis, stopAll, type TestRedis, waitFor } from '@pa-connector/test-support';
import { AppNetwork, type AppServerProcess, startAppServer } from './support/app-net';
import { connectVia } from './support/connect-client';
import { type DataPath, startDataPath } from './support/data-path';

afterAll(stopAll);

const app = (
  id: string,
  host: string,
  port: number,
  servers: Array<[string, number]>,
  strategy: CatalogApp['strategy'] = 'round-robin',
  healthCheck: CatalogApp['healthCheck'] = { type: 'tcp' },
): CatalogApp => ({
  id,
  name: id,
  host,
  port,
  servers: servers.map(([h, p]) => ({ host: h, port: p })),
  strategy,
  healthCheck,
});

describe('CONNECT proxy routing (app servers in namespaces and on loopback, IPv4 and IPv6)', () => {
  let redis: TestRedis;
  let net: AppNetwork;
  let s1: AppServerProcess;
  let s2: AppServerProcess;
  let s3: AppServerProcess;
  let loop: AppServerProcess;
  let dp: DataPath;
  const V6_APP = 'fd00:abcd::5';

  beforeAll(async () => {
    redis = await startRedis();
    net = await AppNetwork.create(['app1', 'app2', 'app3']);
    [s1, s2, s3, loop] = await Promise.all([
      startAppServer('s1', { netns: net.host('app1').netns }),
      startAppServer('s2', { netns: net.host('app2').netns }),
      startAppServer('s3', { netns: net.host('app3').netns }),
      startAppServer('loop', { host: '127.0.0.1' }),
    ]);
    const a1 = net.host('app1');
    const a2 = net.host('app2');
    const a3 = net.host('app3');
    dp = startDataPath({
      redisUrl: redis.url,
      prefix: redis.prefix,
      addresses: ['127.0.0.1', '::1'],
      apps: [
        app('web', 'web.internal', 443, [
          [a1.ipv4, s1.port],
          [a2.ipv6, s2.port],
        ]),
        app(
          'lc',
          'lc.internal',
          443,
          [
            [a1.ipv4, s1.port],
            [a2.ipv4, s2.port],
          ],
          'least-connections',
        ),
        app(
          'two',
          'two.internal',
          80,
          [
            [a1.ipv4, s1.port],
            [a3.ipv4, s3.port],
          ],
          'round-robin',
          { type: 'http', path: '/health', expectStatus: 200 },
        ),
        app('v6', V6_APP, 8080, [[a2.ipv6, s2.port]]),
        app('loop', 'loop.internal', 80, [['127.0.0.1', loop.port]]),
        app('sneaky', 'sneaky.internal', 80, [['localhost', loop.port]]),
      ],
    });
    await waitFor('proxy listening on both addresses', () => dp.proxy.listening().length === 2);
    await waitFor('every app up', () =>
      ['web', 'lc', 'two', 'v6', 'loop', 'sneaky'].every((id) => dp.health.status(id) === 'up'),
    );
  });

  afterAll(async () => {
    await dp?.stop();
    await net?.destroy();
    await redis?.stop();
  });

  const via4 = () => ({ host: '127.0.0.1', port: dp.proxy.port('127.0.0.1') as number });
  const via6 = () => ({ host: '::1', port: dp.proxy.port('::1') as number });

  it('pipes bytes both ways for an app in the catalog, on each listening address', async () => {
    for (const via of [via4(), via6()]) {
      const t = await connectVia(via, 'web.internal:443');
      expect(t.status).toBe(200);
      expect(t.answer).toBe('HTTP/1.1 200 Connection Established\r\n\r\n');
      t.socket.write('who\n');
      expect(['s1', 's2']).toContain(await t.line());
      t.socket.write('ping 1234\n');
      expect(await t.line()).toBe('ping 1234');
      t.socket.end();
      await t.rest();
    }
    await waitFor(
      'bytes counted',
      async () =>
        (
          await dp.registry.getSingleMetricAsString('pa_connector_proxy_received_bytes_total')
        ).match(/ (\d+)$/m)?.[1] !== '0',
    );
  });

  it('reaches an app whose target and server are IPv6 addresses', async () => {
    const t = await connectVia(via6(), `[${V6_APP}]:8080`);
    expect(t.status).toBe(200);
    t.socket.write('who\n');
    expect(await t.line()).toBe('s2');
    t.socket.destroy();
  });

  it.each([
    ['a host outside the catalog', 'intranet.example:443'],
    ['an app host on another port', 'web.internal:444'],
    ['the local Redis', '127.0.0.1:6379'],
    ['the metadata service', '169.254.169.254:80'],
    ['IPv6 loopback', '[::1]:22'],
  ])('refuses %s with 403', async (_what, target) => {
    const before = await refusals('not_in_catalog');
    const t = await connectVia(via4(), target);
    expect(t.status).toBe(403);
    expect(t.answer).toContain('not an application of this connector');
    // Refusal logs are aggregated (the first of an interval carries details): count the metric.
    expect(await refusals('not_in_catalog')).toBe(before + 1);
    expect(dp.entries().some((e) => e.reason === 'not_in_catalog')).toBe(true);
  });

  const refusals = async (reason: string): Promise<number> => {
    const m = await dp.registry.getSingleMetric('pa_connector_proxy_errors_total')?.get();
    return m?.values.find((v) => v.labels.reason === reason)?.value ?? 0;
  };

  it('refuses a catalog server whose name resolves to loopback, dials a literal one', async () => {
    const bad = await connectVia(via4(), 'sneaky.internal:80');
    expect(bad.status).toBe(403);
    expect(bad.answer).toContain('forbidden address');
    expect(
      dp.entries().some((e) => e.reason === 'forbidden_address' && e.address === '127.0.0.1'),
    ).toBe(true);
    const ok = await connectVia(via4(), 'loop.internal:80');
    expect(ok.status).toBe(200);
    ok.socket.write('who\n');
    expect(await ok.line()).toBe('loop');
    ok.socket.destroy();
  });

  it('round-robin alternates between the healthy servers', async () => {
    const seen: string[] = [];
    for (let i = 0; i < 6; i++) {
      const t = await connectVia(via4(), 'web.internal:443');
      t.socket.write('who\n');
      seen.push(await t.line());
      t.socket.destroy();
    }
    console.log(`round-robin picks: ${seen.join(' ')}`);
    expect(new Set(seen)).toEqual(new Set(['s1', 's2']));
    for (let i = 1; i < seen.length; i++) expect(seen[i]).not.toBe(seen[i - 1]);
  });

  it('least-connections sends a new connection to the server with fewer open ones', async () => {
    const open = [];
    const first = await connectVia(via4(), 'lc.internal:443');
    first.socket.write('hold\n');
    const a = await first.line();
    open.push(first);
    const picks: string[] = [];
    for (let i = 0; i < 3; i++) {
      const t = await connectVia(via4(), 'lc.internal:443');
      t.socket.write('hold\n');
      picks.push(await t.line());
      open.push(t);
    }
    const b = a === 's1' ? 's2' : 's1';
    console.log(`least-connections: first ${a}, then ${picks.join(' ')}`);
    // 1:0 -> b; 1:1 -> either; then the one with fewer.
    expect(picks[0]).toBe(b);
    const counts = [a, ...picks].reduce<Record<string, number>>((m, s) => {
      m[s] = (m[s] ?? 0) + 1;
      return m;
    }, {});
    expect(counts).toEqual({ s1: 2, s2: 2 });
    // close both of a's connections: the next two go to a
    for (const [i, t] of open.entries()) if ([a, ...picks][i] === a) t.socket.destroy();
    const aKey =
      a === 's1' ? `${net.host('app1').ipv4}:${s1.port}` : `${net.host('app2').ipv4}:${s2.port}`;
    await waitFor('a has no connections', () => dp.balancer.counts.get('lc', aKey) === 0);
    const next = await connectVia(via4(), 'lc.internal:443');
    next.socket.write('hold\n');
    expect(await next.line()).toBe(a);
    next.socket.destroy();
    for (const t of open) t.socket.destroy();
  });

  it('an app with one of two servers down is unhealthy and every request goes to the healthy one', async () => {
    const keys = new RedisKeys(redis.prefix);
    await s3.stop();
    await waitFor('two unhealthy', () => dp.health.status('two') === 'unhealthy', 5_000);
    const stored = decodeAppHealth((await dp.redis.hget(keys.appHealth(), 'two')) ?? '');
    expect(stored?.status).toBe('unhealthy');
    expect(stored?.servers.find((s) => s.server.endsWith(`:${s3.port}`))).toMatchObject({
      up: false,
    });
    const seen = new Set<string>();
    for (let i = 0; i < 10; i++) {
      const t = await connectVia(via4(), 'two.internal:80');
      expect(t.status).toBe(200);
      t.socket.write('who\n');
      seen.add(await t.line());
      t.socket.destroy();
    }
    expect([...seen]).toEqual(['s1']);
  });

  it('answers 503 when no server of the app is up', async () => {
    dp.apps.set([
      ...dp.apps.apps(),
      app('gone', 'gone.internal', 80, [[net.host('app3').ipv4, s3.port]]),
    ]);
    await waitFor('gone is known', () => dp.health.status('gone') === 'down');
    const t = await connectVia(via4(), 'gone.internal:80');
    expect(t.status).toBe(503);
    expect(t.answer).toContain('no healthy server');
  });
});
