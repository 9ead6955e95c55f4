import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeHeartbeat, RedisKeys } from '@pa-connector/redis-contracts';
import {
  observePopMemberLifecycle,
  observeRedisOutage,
  runServiceToExit,
  startRedis,
  startServiceProcess,
  stopAll,
  type TestRedis,
  waitFor,
} from '@pa-connector/test-support';
import Redis from 'ioredis';

afterAll(stopAll);

type ReadyBody = { ready: boolean; checks: Record<string, { ok: boolean; detail?: unknown }> };

const logRoot = mkdtempSync(join(tmpdir(), 'pa-logging-'));
const settings = (redis: TestRedis) => ({
  PA_LOG_DIR: mkdtempSync(join(logRoot, 'logs-')),
  PA_REDIS_URL: redis.url,
  PA_REDIS_PREFIX: redis.prefix,
  PA_HEARTBEAT_INTERVAL: '300ms',
  PA_HOSTNAME: 'vm-test',
});

describe('the built logging service', () => {
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
    rmSync(logRoot, { recursive: true, force: true });
  });

  it('is a POP member: healthz, ready, pa_logging_ metrics, a heartbeat with a TTL, SIGTERM exits 0 saying stopping', async () => {
    const seen = await observePopMemberLifecycle({
      service: 'logging',
      env: settings(redis),
      redis: client,
      heartbeatKey: new RedisKeys(redis.prefix).heartbeat('logging'),
      logStream: new RedisKeys(redis.prefix).logs(),
    });
    expect(seen.healthz.json()).toMatchObject({ status: 'alive', service: 'logging' });
    expect(seen.ready.json()).toMatchObject({
      service: 'logging',
      ready: true,
      checks: {
        redis: { ok: true, detail: { status: 'ready' } },
        logDir: { ok: true, detail: { writable: true } },
      },
    });
    expect(seen.metrics.body).toMatch(/^process_cpu_seconds_total{service="logging"} /m);
    expect(decodeHeartbeat(seen.heartbeat)).toMatchObject({
      service: 'logging',
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

  it('is not ready while its log directory cannot be written, and says which', async () => {
    const blocker = join(logRoot, 'a-file');
    writeFileSync(blocker, 'not a directory');
    const svc = await startServiceProcess({
      service: 'logging',
      env: { ...settings(redis), PA_LOG_DIR: join(blocker, 'logs') },
    });
    // Redis becomes reachable; the directory never does.
    const ready = await waitFor('redis ok in /ready', async () => {
      const a = await svc.get('/ready');
      return a.json<ReadyBody>().checks.redis?.ok ? a : undefined;
    });
    expect(ready.status).toBe(503);
    expect(ready.json<ReadyBody>().checks).toMatchObject({
      redis: { ok: true },
      logDir: {
        ok: false,
        detail: { writable: false, error: expect.stringMatching(/ENOTDIR|EEXIST/) },
      },
    });
    expect(await svc.stop()).toBe(0);
  });

  it('exits 78 with one line naming a bad setting', async () => {
    const { code, lines } = await runServiceToExit('logging', {
      ...settings(redis),
      PA_HTTP_PORT: 'abc',
    });
    expect(code).toBe(78);
    expect(lines).toEqual([expect.stringMatching(/^logging: PA_HTTP_PORT: .*"abc"/)]);
  });

  it('stays up while Redis is down with /ready 503, and is ready again when Redis returns', async () => {
    const seen = await observeRedisOutage({ service: 'logging', env: settings });
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
