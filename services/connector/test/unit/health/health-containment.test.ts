import { createRegistry } from '@pa-connector/metrics';
import { RedisKeys } from '@pa-connector/redis-contracts';
import type { CatalogApp } from '@pa-connector/sse-api';
import { FakeClock } from '@pa-connector/test-support';
import { AppList } from '../../../src/health/app-source';
import { HealthChecker } from '../../../src/health/health-checker';
import type { Prober } from '../../../src/health/prober';
import { captureLogger } from '../../support/capture-logger';
import { fakeRedis } from './fake-redis';

const app = (id: string, host: string): CatalogApp => ({
  id,
  name: id,
  host: `${id}.internal`,
  port: 443,
  servers: [{ host, port: 80 }],
  strategy: 'round-robin',
  healthCheck: { type: 'http', path: '/', expectStatus: 200 },
});

describe('HealthChecker: a probe that throws', () => {
  it("is that app's failure: the round completes and the other apps are judged", async () => {
    const log = captureLogger();
    // Throws synchronously for one server, rejects for another, answers for the third.
    const prober: Prober = (s) => {
      if (s.host === '10.0.0.1') throw new TypeError('Request path contains unescaped characters');
      if (s.host === '10.0.0.2') return Promise.reject(new Error('late failure'));
      return Promise.resolve({ ok: true, latencyMs: 1 });
    };
    const hc = new HealthChecker({
      apps: new AppList([
        app('sync', '10.0.0.1'),
        app('async', '10.0.0.2'),
        app('good', '10.0.0.3'),
      ]),
      redis: fakeRedis().redis,
      keys: new RedisKeys('t:'),
      clock: new FakeClock(),
      logger: log.logger,
      registry: createRegistry('connector', { defaultMetrics: false }),
      intervalMs: 1000,
      timeoutMs: 500,
      failureThreshold: 1,
      recoveryThreshold: 1,
      concurrency: 1,
      prober,
    });
    hc.start();
    await expect(hc.runOnce()).resolves.toBeUndefined();
    await hc.stop();
    expect([hc.status('sync'), hc.status('async'), hc.status('good')]).toEqual([
      'down',
      'down',
      'up',
    ]);
    expect(hc.snapshot().find((h) => h.appId === 'sync')?.servers[0]?.error).toContain(
      'unescaped characters',
    );
  });
});
