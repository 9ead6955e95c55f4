import { createRegistry } from '@pa-connector/metrics';
import { createServiceServer } from '@pa-connector/service-runtime';
import { loggingApp } from '../../src/app';

describe('logging buildApp', () => {
  it('answers /healthz, /ready following every check, and /metrics with pa_logging_ names', async () => {
    const state = { redis: true, logDir: false };
    const app = await createServiceServer({
      service: 'logging',
      version: '1.2.3',
      registry: createRegistry('logging'),
      checks: [
        { name: 'redis', check: () => state.redis },
        { name: 'logDir', check: () => state.logDir },
      ],
    });
    await app.register(loggingApp, {});
    expect((await app.inject('/healthz')).json()).toMatchObject({
      status: 'alive',
      service: 'logging',
      version: '1.2.3',
    });
    const notReady = await app.inject('/ready');
    expect(notReady.statusCode).toBe(503);
    expect(notReady.json().checks).toEqual({ redis: { ok: true }, logDir: { ok: false } });
    state.logDir = true;
    expect((await app.inject('/ready')).statusCode).toBe(200);
    state.redis = false;
    expect((await app.inject('/ready')).statusCode).toBe(503);
    expect((await app.inject('/metrics')).body).toMatch(
      /^process_cpu_seconds_total{service="logging"} /m,
    );
    await app.close();
  });
});
