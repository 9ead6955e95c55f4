import { createRegistry } from '@pa-connector/metrics';
import { buildApp } from '../../src';

describe('update buildApp', () => {
  it('answers /healthz, /ready following its checks, and /metrics with pa_update_ names', async () => {
    let redisUp = false;
    const app = await buildApp({
      version: '1.2.3',
      registry: createRegistry('update'),
      checks: [{ name: 'redis', check: () => redisUp }],
    });
    expect((await app.inject('/healthz')).json()).toMatchObject({
      status: 'alive',
      service: 'update',
      version: '1.2.3',
    });
    const notReady = await app.inject('/ready');
    expect(notReady.statusCode).toBe(503);
    expect(notReady.json()).toEqual({
      service: 'update',
      ready: false,
      checks: { redis: { ok: false } },
    });
    redisUp = true;
    expect((await app.inject('/ready')).statusCode).toBe(200);
    const metrics = await app.inject('/metrics');
    expect(metrics.headers['content-type']).toMatch(/^text\/plain/);
    expect(metrics.body).toMatch(/^pa_update_process_cpu_seconds_total /m);
    await app.close();
  });

  it('answers 404 for a route it does not have', async () => {
    const app = await buildApp({ version: '1', registry: createRegistry('update'), checks: [] });
    expect((await app.inject('/nope')).statusCode).toBe(404);
    await app.close();
  });
});
