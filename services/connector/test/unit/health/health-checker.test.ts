import { createRegistry } from '@pa-connector/metrics';
import { decodeAppHealth, decodeChange, RedisKeys } from '@pa-connector/redis-contracts';
import type { CatalogApp } from '@pa-connector/sse-api';
import { FakeClock } from '@pa-connector/test-support';
import { AppList } from '../../../src/health/app-source';
import { HealthChecker } from '../../../src/health/health-checker';
import type { Prober } from '../../../src/health/prober';
import { captureLogger } from '../../support/capture-logger';
import { fakeRedis } from './fake-redis';

const app = (
  id: string,
  servers: Array<[string, number]>,
  extra: Partial<CatalogApp> = {},
): CatalogApp => ({
  id,
  name: id,
  host: `${id}.internal`,
  port: 443,
  servers: servers.map(([host, port]) => ({ host, port })),
  strategy: 'round-robin',
  healthCheck: { type: 'tcp' },
  ...extra,
});

function setup(
  apps: CatalogApp[],
  opts: { failureThreshold?: number; recoveryThreshold?: number; concurrency?: number } = {},
) {
  const clock = new FakeClock();
  const r = fakeRedis();
  const log = captureLogger();
  const down = new Set<string>();
  const probed: string[] = [];
  let inflight = 0;
  let maxInflight = 0;
  const prober: Prober = async (s, check) => {
    inflight++;
    maxInflight = Math.max(maxInflight, inflight);
    await new Promise((res) => setImmediate(res));
    inflight--;
    const key = s.host.includes(':') ? `[${s.host}]:${s.port}` : `${s.host}:${s.port}`;
    probed.push(`${check.type} ${key}`);
    return down.has(key)
      ? { ok: false, latencyMs: 1, error: 'ECONNREFUSED' }
      : { ok: true, latencyMs: 1 };
  };
  const list = new AppList(apps);
  const registry = createRegistry('connector', { defaultMetrics: false });
  const hc = new HealthChecker({
    apps: list,
    redis: r.redis,
    keys: new RedisKeys('t:'),
    clock,
    logger: log.logger,
    registry,
    intervalMs: 1000,
    timeoutMs: 500,
    failureThreshold: opts.failureThreshold ?? 2,
    recoveryThreshold: opts.recoveryThreshold ?? 2,
    concurrency: opts.concurrency ?? 4,
    prober,
  });
  const changes: string[][] = [];
  hc.onChange((ids) => changes.push(ids));
  const stored = (id: string) => decodeAppHealth(r.hash.get(id) ?? '');
  const announced = () =>
    r.batches.flatMap((b) =>
      b.filter((c) => c[0] === 'publish').map((c) => decodeChange(c[2] as string)?.id),
    );
  return {
    clock,
    r,
    log,
    down,
    probed,
    hc,
    list,
    registry,
    changes,
    stored,
    announced,
    maxInflight: () => maxInflight,
  };
}

describe('HealthChecker', () => {
  it('starts down, goes up at the first pass, then unhealthy and down after the failure threshold', async () => {
    const t = setup([
      app('a', [
        ['10.0.0.1', 80],
        ['fd00::1', 80],
      ]),
    ]);
    t.hc.start();
    expect(t.hc.status('a')).toBe('down');
    await t.clock.advance(0);
    expect(t.hc.status('a')).toBe('up');
    expect(t.stored('a')).toMatchObject({
      status: 'up',
      servers: [
        { server: '10.0.0.1:80', up: true },
        { server: '[fd00::1]:80', up: true },
      ],
    });

    t.down.add('[fd00::1]:80');
    await t.clock.advance(1000);
    expect(t.hc.status('a')).toBe('up'); // one failure < threshold 2
    expect(t.stored('a')?.servers[1]).toMatchObject({
      up: true,
      failures: 1,
      error: 'ECONNREFUSED',
    });
    await t.clock.advance(1000);
    expect(t.hc.status('a')).toBe('unhealthy');
    expect(t.hc.isServerUp('a', '[fd00::1]:80')).toBe(false);
    expect(t.hc.isServerUp('a', '10.0.0.1:80')).toBe(true);

    t.down.add('10.0.0.1:80');
    await t.clock.advance(2000);
    expect(t.hc.status('a')).toBe('down');
    expect(t.stored('a')?.status).toBe('down');
    expect(t.changes.filter((c) => c.includes('a')).length).toBeGreaterThanOrEqual(4);
    expect(t.announced().filter((id) => id === 'a').length).toBeGreaterThanOrEqual(3);
    const metrics = await t.registry.getSingleMetricAsString('pa_connector_app_up');
    expect(metrics).toContain('pa_connector_app_up{app="a"} 0');
    await t.hc.stop();
  });

  it('needs the recovery threshold of passes to bring a down server back', async () => {
    const t = setup([app('a', [['10.0.0.1', 80]])], { failureThreshold: 1, recoveryThreshold: 3 });
    t.hc.start();
    await t.clock.advance(0);
    t.down.add('10.0.0.1:80');
    await t.clock.advance(1000);
    expect(t.hc.status('a')).toBe('down');
    t.down.clear();
    await t.clock.advance(1000);
    await t.clock.advance(1000);
    expect(t.hc.status('a')).toBe('down');
    await t.clock.advance(1000);
    expect(t.hc.status('a')).toBe('up');
    await t.hc.stop();
  });

  it('keeps probes within the concurrency bound', async () => {
    const servers: Array<[string, number]> = Array.from({ length: 20 }, (_, i) => [
      `10.0.1.${i + 1}`,
      80,
    ]);
    const t = setup([app('a', servers)], { concurrency: 3 });
    t.hc.start();
    await t.clock.advance(0);
    expect(t.probed.length).toBe(20);
    expect(t.maxInflight()).toBe(3);
    await t.hc.stop();
  });

  it('spreads a large round over the interval, in the same order every round', async () => {
    // 300 servers, interval 1000 ms, timeout 500 ms: probes start 1.5 ms apart over 450 ms.
    const servers: Array<[string, number]> = Array.from({ length: 300 }, (_, i) => [
      '10.0.2.1',
      1000 + i,
    ]);
    const t = setup([app('a', servers)], { concurrency: 3 });
    t.hc.start();
    await t.clock.advance(0, { rounds: 3 });
    expect(t.probed.length).toBeLessThan(5);
    await t.clock.advance(150, { rounds: 3 });
    expect(t.probed.length).toBeGreaterThan(90);
    expect(t.probed.length).toBeLessThan(110);
    await t.clock.advance(350, { rounds: 3 });
    expect(t.probed.length).toBe(300);
    expect(t.maxInflight()).toBeLessThanOrEqual(3);
    // The next round starts one interval after the first started, in the same order.
    await t.clock.advance(499, { rounds: 3 });
    expect(t.probed.length).toBe(300);
    await t.clock.advance(1, { rounds: 3 });
    expect(t.probed[300]).toBe(t.probed[0]);
    await t.hc.stop();
  });

  it('follows catalog changes: new apps are probed at once, removed ones deleted and announced', async () => {
    const t = setup([app('a', [['10.0.0.1', 80]])]);
    t.hc.start();
    await t.clock.advance(0);
    t.list.set([
      app('b', [['10.0.0.2', 81]], {
        healthCheck: { type: 'http', path: '/h', expectStatus: 204 },
      }),
    ]);
    await t.clock.advance(0);
    expect(t.hc.status('a')).toBeUndefined();
    expect(t.hc.status('b')).toBe('up');
    expect(t.r.hash.has('a')).toBe(false);
    expect(t.probed).toContain('http 10.0.0.2:81');
    expect(t.announced()).toContain('a');
    expect(t.changes.flat()).toEqual(expect.arrayContaining(['a', 'b']));
    await t.hc.stop();
  });

  it('keeps probing when Redis fails, logs it once and writes again when it is back', async () => {
    const t = setup([app('a', [['10.0.0.1', 80]])]);
    t.r.state.fail = true;
    t.hc.start();
    await t.clock.advance(3000);
    expect(t.hc.status('a')).toBe('up');
    expect(t.log.lines.filter((l) => l.includes('could not write app health')).length).toBe(1);
    t.r.state.fail = false;
    await t.clock.advance(1000);
    expect(t.stored('a')?.status).toBe('up');
    await t.hc.stop();
  });

  it('gives gateways host, port and up per server', async () => {
    const t = setup([app('a', [['fd00::1', 80]])]);
    t.hc.start();
    await t.clock.advance(0);
    expect(t.hc.updateApps()).toEqual([
      { id: 'a', state: 'up', servers: [{ host: 'fd00::1', port: 80, up: true }] },
    ]);
    await t.hc.stop();
  });

  it('names a bad option', () => {
    const t = setup([]);
    expect(
      () =>
        new HealthChecker({
          apps: t.list,
          redis: t.r.redis,
          keys: new RedisKeys('t:'),
          clock: t.clock,
          logger: t.log.logger,
          registry: createRegistry('connector', { defaultMetrics: false }),
          intervalMs: 1000,
          timeoutMs: 500,
          failureThreshold: 0,
          recoveryThreshold: 1,
          concurrency: 1,
        }),
    ).toThrow(/failureThreshold must be a whole number >= 1, got 0/);
  });
});
