import { createLogger } from '@pa-connector/logger';
import { encodeHeartbeat, RedisKeys } from '@pa-connector/redis-contracts';
import { createRedis } from '@pa-connector/service-runtime';
import { startRedis, stopAll, type TestRedis, waitFor } from '@pa-connector/test-support';
import { RecentErrors } from '../../src/errors/recent-errors';
import { HostMetricsSampler } from '../../src/host/host-metrics';
import { systemHostProbe } from '../../src/host/host-probe';
import { StatusCollector } from '../../src/status/status-collector';
import { logLine } from '../support/pop-state';

afterAll(stopAll);

describe('StatusCollector against a real Redis', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('reads heartbeats and error lines, only new lines each time, and still answers while Redis is down', async () => {
    const keys = new RedisKeys(redis.prefix);
    const client = createRedis(
      { redisUrl: new URL(redis.url), redisPassword: undefined },
      createLogger({ service: 'pop-manager', level: 'silent' }),
    );
    await waitFor('redis ready', () => client.status === 'ready');
    const collector = new StatusCollector({
      redis: client,
      keys,
      hostname: 'vm-c',
      version: '1.0.0',
      host: new HostMetricsSampler({ probe: systemHostProbe, diskPath: '/', now: Date.now }),
      recentErrors: new RecentErrors(3),
      errorScanEntries: 100,
      health: { staleBeats: 2, fallbackIntervalMs: 10_000 },
      now: Date.now,
    });
    try {
      const now = new Date().toISOString();
      await client.hset(
        keys.heartbeat('update'),
        encodeHeartbeat({
          service: 'update',
          version: '1.0.1',
          started: now,
          updated: now,
          status: 'ready',
          pid: 7,
          host: 'vm-c',
        }),
      );
      await client.pexpire(keys.heartbeat('update'), 30_000);
      // An error logged before pop-manager started is among the newest entries: it is shown.
      await logLine(client, keys, 'update', { level: 'error', msg: 'pull failed' });
      const first = await collector.collect();
      expect(first.collectErrors).toEqual([]);
      expect(first.services.map((s) => [s.name, s.status])).toEqual([
        ['logging', 'down'],
        ['connector', 'down'],
        ['update', 'up'],
        ['pop-manager', 'down'],
      ]);
      expect(first.services[2]).toMatchObject({ version: '1.0.1' });
      // Derived from the TTL left and the beat's age: the time between writing the beat and
      // setting its TTL (two round trips here, longer on a loaded machine) adds to it.
      expect(first.services[2]?.intervalMs).toBeGreaterThanOrEqual(10_000);
      expect(first.services[2]?.intervalMs).toBeLessThanOrEqual(10_100);
      expect(first.recentErrors.map((e) => e.msg)).toEqual(['pull failed']);
      expect(first).not.toHaveProperty('update');
      await client.hset(keys.updateStatus(), { state: 'idle', available: '1.0.2' });
      expect((await collector.collect()).update).toEqual({ state: 'idle', available: '1.0.2' });

      for (let i = 0; i < 5; i++) {
        await logLine(client, keys, 'connector', { level: 'error', msg: `e${i}` });
        await logLine(client, keys, 'connector', { level: 'info', msg: `i${i}` });
      }
      // Concurrent collections (ticker and /status) read each line once.
      const [a, b] = await Promise.all([collector.collect(), collector.collect()]);
      expect(a.recentErrors.map((e) => e.msg)).toEqual(['e2', 'e3', 'e4']);
      expect(b.recentErrors.map((e) => e.msg)).toEqual(['e2', 'e3', 'e4']);

      await redis.process.stop();
      await waitFor('client sees Redis gone', () => client.status !== 'ready');
      const started = Date.now();
      const down = await collector.collect();
      console.log(`collection with Redis down took ${Date.now() - started} ms`);
      expect(down.services.map((s) => s.status)).toEqual([
        'unknown',
        'unknown',
        'unknown',
        'unknown',
      ]);
      expect(down.services[0]?.reason).toMatch(/^Redis unreachable: /);
      expect(down.collectErrors).toEqual([
        expect.stringMatching(/^redis: /),
        expect.stringMatching(/^log stream: /),
      ]);
      expect(down.host.memory?.totalBytes).toBeGreaterThan(0);
      expect(down.recentErrors.map((e) => e.msg)).toEqual(['e2', 'e3', 'e4']);
    } finally {
      client.disconnect();
    }
  });
});
