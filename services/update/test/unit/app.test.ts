import { createRegistry } from '@pa-connector/metrics';
import { createServiceServer, type ReadinessCheck } from '@pa-connector/service-runtime';
import { type UpdateAppOptions, updateApp } from '../../src/app';

/** The update service's server as main.ts builds it, without a listener. */
async function buildApp(d: { version: string; checks: ReadinessCheck[] } & UpdateAppOptions) {
  const app = await createServiceServer({
    service: 'update',
    version: d.version,
    registry: createRegistry('update'),
    checks: d.checks,
  });
  await app.register(updateApp, d.updater ? { updater: d.updater } : {});
  return app;
}

describe('update buildApp', () => {
  it('answers /healthz, /ready following its checks, and /metrics with pa_update_ names', async () => {
    let redisUp = false;
    const app = await buildApp({
      version: '1.2.3',
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
    expect(metrics.body).toMatch(/^process_cpu_seconds_total{service="update"} /m);
    await app.close();
  });

  it('answers 404 for a route it does not have', async () => {
    const app = await buildApp({ version: '1', checks: [] });
    expect((await app.inject('/nope')).statusCode).toBe(404);
    await app.close();
  });

  it('GET /update/status gives the status and history; POST /update/check starts a check', async () => {
    let checks = 0;
    const asked: number[] = [];
    const entry = {
      at: '2026-11-23T03:00:00.000Z',
      service: 'logging',
      from: 'pa-connector/logging:1.0.0',
      to: 'r/pa/logging@sha256:aa',
      version: '1.0.1',
      result: 'updated' as const,
      message: 'logging runs r/pa/logging@sha256:aa',
    };
    const app = await buildApp({
      version: '1',
      checks: [],
      updater: {
        check: async () => {
          checks += 1;
          return { state: 'up-to-date', message: '' };
        },
        status: async () => ({ state: 'updated', running: '1', available: '1.0.1' }),
        history: async (n) => {
          asked.push(n);
          return [entry];
        },
      },
    });
    const status = await app.inject('/update/status?history=5');
    expect(status.statusCode).toBe(200);
    expect(status.json()).toEqual({
      status: { state: 'updated', running: '1', available: '1.0.1' },
      history: [entry],
    });
    expect(asked).toEqual([5]);
    expect((await app.inject('/update/status?history=0')).json().history).toEqual([]);
    const bad = await app.inject('/update/status?history=-1');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toEqual({
      code: 'invalid_request',
      message: 'querystring.history must be >= 0',
    });
    expect((await app.inject('/update/status?history=201')).statusCode).toBe(400);
    await app.inject('/update/status');
    expect(asked).toEqual([5, 20]);
    const posted = await app.inject({ method: 'POST', url: '/update/check' });
    expect(posted.statusCode).toBe(202);
    expect(checks).toBe(1);
    await app.close();
  });
});
