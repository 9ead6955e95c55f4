import { Writable } from 'node:stream';
import { createLogger } from '@pa-connector/logger';
import { createRegistry, type Registry } from '@pa-connector/metrics';
import { RedisKeys } from '@pa-connector/redis-contracts';
import type { CatalogApp } from '@pa-connector/sse-api';
import Redis from 'ioredis';
import { Balancer, type ServerHealth } from '../../../../src/balancer/balancer';
import { systemClock } from '../../../../src/clock';
import { DialPolicy } from '../../../../src/dial/dial-policy';
import { AppList } from '../../../../src/health/app-source';
import { HealthChecker } from '../../../../src/health/health-checker';
import { dialingProber } from '../../../../src/health/prober';
import { type ProxyLimits, ProxyServer, type Resolve } from '../../../../src/proxy/proxy-server';

export interface DataPath {
  apps: AppList;
  health: HealthChecker;
  balancer: Balancer;
  proxy: ProxyServer;
  redis: Redis;
  registry: Registry;
  lines: string[];
  /** Parsed log entries. */
  entries(): Array<Record<string, unknown>>;
  stop(): Promise<void>;
}

const TEST_LIMITS: ProxyLimits = {
  maxConnections: 1000,
  maxConnectionsPerApp: 1000,
  headerTimeoutMs: 5_000,
  idleTimeoutMs: 60_000,
  dialTimeoutMs: 3_000,
  drainGraceMs: 5_000,
};

/** The connector's data path wired as the service will wire it: catalog -> health -> balancer -> proxy. */
export function startDataPath(o: {
  redisUrl: string;
  prefix: string;
  apps: CatalogApp[];
  addresses: string[];
  limits?: Partial<ProxyLimits>;
  resolve?: Resolve;
  /**
   * Where the proxy and the probes may dial (probes then resolve with `resolve` too). Default:
   * the proxy's own policy with loopback literals allowed, probes unchecked.
   */
  policy?: DialPolicy;
  healthIntervalMs?: number;
  /** Replaces health checks' verdict (to reach dial failures the checks would prevent). */
  isUp?: ServerHealth;
}): DataPath {
  const lines: string[] = [];
  const logger = createLogger({
    service: 'connector',
    level: 'debug',
    destination: new Writable({
      write(chunk, _enc, cb) {
        for (const l of String(chunk).split('\n')) if (l) lines.push(l);
        cb();
      },
    }),
  });
  const registry = createRegistry('connector', { defaultMetrics: false });
  const redis = new Redis(o.redisUrl, { lazyConnect: false, maxRetriesPerRequest: 1 });
  const apps = new AppList(o.apps);
  const health = new HealthChecker({
    apps,
    redis,
    keys: new RedisKeys(o.prefix),
    clock: systemClock,
    logger,
    registry,
    intervalMs: o.healthIntervalMs ?? 200,
    timeoutMs: 300,
    failureThreshold: 2,
    recoveryThreshold: 1,
    concurrency: 8,
    ...(o.policy && o.resolve
      ? { prober: dialingProber({ resolveAll: o.resolve }, o.policy) }
      : {}),
  });
  const balancer = new Balancer(o.isUp ?? ((id, key) => health.isServerUp(id, key)));
  const proxy = new ProxyServer({
    port: 0,
    apps,
    balancer,
    clock: systemClock,
    logger,
    registry,
    ...TEST_LIMITS,
    ...o.limits,
    ...(o.resolve ? { resolve: o.resolve } : {}),
    // Loopback app servers are these tests' own; the POP default refuses them.
    policy: o.policy ?? new DialPolicy({ clock: systemClock, allowLoopback: true }),
    bindRetryMs: 100,
  });
  health.start();
  proxy.setAddresses(o.addresses);
  return {
    apps,
    health,
    balancer,
    proxy,
    redis,
    registry,
    lines,
    entries: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
    async stop() {
      await proxy.close();
      await health.stop();
      redis.disconnect();
    },
  };
}
