import { decodeHeartbeat, RedisKeys } from '@pa-connector/redis-contracts';
import {
  observePopMemberLifecycle,
  observeRedisOutage,
  runServiceToExit,
  startRedis,
  stopAll,
  type TestRedis,
} from '@pa-connector/test-support';
import Redis from 'ioredis';

afterAll(stopAll);

const settings = (redis: TestRedis) => ({
  PA_REDIS_URL: redis.url,
  PA_REDIS_PREFIX: redis.prefix,
  PA_HEARTBEAT_INTERVAL: '300ms',
  PA_HOSTNAME: 'vm-test',
});

describe('the built pop-manager service', () => {
  let redis: TestRedis;
  let client: Redis;
  beforeAll(async () => {
    redis = await startRedis();
    client = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await client.connect();
  });
  afterAll(async () => {
    client.disconnect();
    await redis.stop();
  });

  it('is a POP member: healthz, ready, pa_pop_manager_ metrics, a heartbeat with a TTL, SIGTERM exits 0 saying stopping', async () => {
    const seen = await observePopMemberLifecycle({
      service: 'pop-manager',
      env: settings(redis),
      redis: client,
      heartbeatKey: new RedisKeys(redis.prefix).heartbeat('pop-manager'),
      logStream: new RedisKeys(redis.prefix).logs(),
    });
    expect(seen.healthz.json()).toMatchObject({ status: 'alive', service: 'pop-manager' });
    expect(seen.ready.json()).toEqual({
      service: 'pop-manager',
      ready: true,
      checks: { redis: { ok: true, detail: { status: 'ready' } } },
    });
    expect(seen.metrics.body).toMatch(/^process_cpu_seconds_total{service="pop-manager"} /m);
    expect(decodeHeartbeat(seen.heartbeat)).toMatchObject({
      service: 'pop-manager',
      status: 'ready',
      host: 'vm-test',
      pid: seen.pid,
    });
    expect(seen.heartbeatTtlMs).toBeGreaterThan(0);
    expect(seen.heartbeatTtlMs).toBeLessThanOrEqual(900);
    expect(seen.exitCode).toBe(0);
    // Its last line, `stopped`, reaches the log stream too (not only stdout).
    expect(seen.shipped).toContain('stopping');
    expect(seen.shipped.at(-1)).toBe('stopped');
    expect(decodeHeartbeat(seen.heartbeatAfterStop)?.status).toBe('stopping');
  });

  it('exits 78 with one line naming a bad setting', async () => {
    const { code, lines } = await runServiceToExit('pop-manager', {
      ...settings(redis),
      PA_HTTP_PORT: 'abc',
    });
    expect(code).toBe(78);
    expect(lines).toEqual([expect.stringMatching(/^pop-manager: PA_HTTP_PORT: .*"abc"/)]);
  });

  it('stays up while Redis is down with /ready 503, and is ready again when Redis returns', async () => {
    const seen = await observeRedisOutage({ service: 'pop-manager', env: settings });
    expect(seen.readyDuring.json()).toMatchObject({
      ready: false,
      checks: { redis: { ok: false } },
    });
    expect(seen.healthzDuring.status).toBe(200);
    expect(seen.aliveDuring).toBe(true);
    expect(seen.readyAfter.status).toBe(200);
    expect(seen.exitCode).toBe(0);
  });
});
