/// <reference types="jest" />
import { decodeHeartbeat, RedisKeys } from '@pa-connector/redis-contracts';
import Redis from 'ioredis';
import { startRedis, type TestRedis } from './redis';
import { observePopMemberLifecycle, observeRedisOutage, runServiceToExit } from './service-process';

/** What a service's own process cases get from the shared suite. */
export interface ServiceProcessContext {
  /** The suite's Redis (started in its beforeAll). */
  redis(): TestRedis;
  /** The service's full settings against `redis`: the suite's and the spec's. */
  settings(redis: TestRedis): Record<string, string>;
}

export interface ServiceProcessSpec {
  /** The service's folder under services/, its `service` field and its metric prefix. */
  service: string;
  /** Settings it needs beside Redis, heartbeat interval and hostname (e.g. a log directory). */
  settings?: (redis: TestRedis) => Record<string, string>;
  /** Its /ready checks besides `redis`, as they read when it is ready (matched as a subset). */
  readyChecks?: Record<string, unknown>;
  /** Its own cases, run in the same describe after the shared ones. */
  cases?: (ctx: ServiceProcessContext) => void;
}

/**
 * The checks every POP member passes as a built process against a real Redis: its life from
 * start to SIGTERM (probes, metrics, heartbeat, the `stopping`/`stopped` lines shipped), exit 78
 * naming a bad setting, and riding out a Redis outage. One describe per service.
 */
export function describeServiceProcess(spec: ServiceProcessSpec): void {
  const { service } = spec;
  const settings = (redis: TestRedis): Record<string, string> => ({
    PA_REDIS_URL: redis.url,
    PA_REDIS_PREFIX: redis.prefix,
    PA_HEARTBEAT_INTERVAL: '300ms',
    PA_HOSTNAME: 'vm-test',
    ...spec.settings?.(redis),
  });

  describe(`the built ${service} service`, () => {
    let redis: TestRedis;
    let client: Redis;
    beforeAll(async () => {
      redis = await startRedis();
      client = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
      await client.connect();
    });
    afterAll(async () => {
      client?.disconnect();
      await redis?.stop();
    });

    it(`is a POP member: healthz, ready, metrics, a heartbeat with a TTL, SIGTERM exits 0 saying stopping`, async () => {
      const keys = new RedisKeys(redis.prefix);
      const seen = await observePopMemberLifecycle({
        service,
        env: settings(redis),
        redis: client,
        heartbeatKey: keys.heartbeat(service),
        logStream: keys.logs(),
      });
      expect(seen.healthz.json()).toMatchObject({ status: 'alive', service });
      const ready = seen.ready.json<{ checks: Record<string, unknown> }>();
      expect(ready).toMatchObject({
        service,
        ready: true,
        checks: { redis: { ok: true, detail: { status: 'ready' } }, ...spec.readyChecks },
      });
      // No check beyond those the spec names: a new one belongs in the spec.
      expect(Object.keys(ready.checks).sort()).toEqual(
        ['redis', ...Object.keys(spec.readyChecks ?? {})].sort(),
      );
      // The default process metrics keep their standard names, labelled with the service.
      expect(seen.metrics.body).toMatch(
        new RegExp(`^process_cpu_seconds_total\\{service="${service}"\\} `, 'm'),
      );
      expect(decodeHeartbeat(seen.heartbeat)).toMatchObject({
        service,
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
      const { code, lines } = await runServiceToExit(service, {
        ...settings(redis),
        PA_HTTP_PORT: 'abc',
      });
      expect(code).toBe(78);
      expect(lines).toEqual([
        expect.stringMatching(new RegExp(`^${service}: PA_HTTP_PORT: .*"abc"`)),
      ]);
    });

    it('stays up while Redis is down with /ready 503, and is ready again when Redis returns', async () => {
      const seen = await observeRedisOutage({ service, env: settings });
      expect(seen.readyDuring.json()).toMatchObject({
        ready: false,
        checks: { redis: { ok: false } },
      });
      expect(seen.healthzDuring.status).toBe(200);
      expect(seen.aliveDuring).toBe(true);
      expect(seen.readyAfter.status).toBe(200);
      expect(seen.exitCode).toBe(0);
    });

    spec.cases?.({ redis: () => redis, settings });
  });
}
