import { createLogger } from '@pa-connector/logger';
import { createRegistry } from '@pa-connector/metrics';
import { decodeHeartbeat, RedisKeys } from '@pa-connector/redis-contracts';
import { startRedis, stopAll, type TestRedis, waitFor } from '@pa-connector/test-support';
import Fastify from 'fastify';
import { createRedis, popMemberPlugin, redisReadiness, startHeartbeat } from '../../src';

afterAll(stopAll);

describe('a POP member against a real Redis', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(() => redis.stop());

  it('serves /healthz, /ready following Redis, /metrics, and beats with a TTL', async () => {
    const logger = createLogger({ service: 'logging', level: 'silent' });
    const client = createRedis({ redisUrl: new URL(redis.url), redisPassword: undefined }, logger);
    const keys = new RedisKeys(redis.prefix);
    const app = Fastify();
    await app.register(popMemberPlugin, {
      service: 'logging',
      version: '9.9.9',
      registry: createRegistry('logging'),
      checks: [redisReadiness(client)],
    });
    await waitFor('redis ready', () => client.status === 'ready');

    expect((await app.inject('/healthz')).json()).toMatchObject({
      status: 'alive',
      service: 'logging',
      version: '9.9.9',
    });
    expect((await app.inject('/ready')).statusCode).toBe(200);
    const metrics = await app.inject('/metrics');
    expect(metrics.body).toContain('process_cpu_seconds_total{service="logging"}');

    const hb = startHeartbeat({
      redis: client,
      keys,
      service: 'logging',
      version: '9.9.9',
      host: 'vm1',
      intervalMs: 200,
      status: () => 'ready',
    });
    const beat = await waitFor('heartbeat', async () =>
      decodeHeartbeat(await client.hgetall(keys.heartbeat('logging'))),
    );
    expect(beat).toMatchObject({
      service: 'logging',
      version: '9.9.9',
      status: 'ready',
      pid: process.pid,
      host: 'vm1',
    });
    const ttl = await client.pttl(keys.heartbeat('logging'));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(600);

    // Redis goes away: the service stays up, /ready turns 503 and says why.
    await redis.process.stop();
    await waitFor('redis down', () => client.status !== 'ready');
    const notReady = await app.inject('/ready');
    expect(notReady.statusCode).toBe(503);
    expect(notReady.json().checks.redis.ok).toBe(false);
    expect(await hb.beat()).toBe(false);
    expect((await app.inject('/healthz')).statusCode).toBe(200);

    await hb.stop();
    client.disconnect();
    await app.close();
  });
});
