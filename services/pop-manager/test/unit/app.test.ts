import { createRegistry } from '@pa-connector/metrics';
import { createServiceServer } from '@pa-connector/service-runtime';
import { popManagerApp, QUIET_ROUTES } from '../../src/app';
import type { PopManagerStatus } from '../../src/status/pop-status';

const STATUS: PopManagerStatus = {
  hostname: 'vm-1',
  reportedAt: '2030-01-01T00:00:00.000Z',
  version: '1.2.3',
  services: [{ name: 'logging', status: 'down', reason: 'no heartbeat' }],
  tunnels: [],
  apps: [],
  host: {
    cpuPercent: 5,
    cpuCount: 2,
    memory: null,
    disk: null,
    load: null,
    uptimeSeconds: 10,
    errors: [],
  },
  recentErrors: [],
  push: { lastSuccessAt: null, lastError: null, pending: true },
  collectErrors: [],
};

/** pop-manager's server as main.ts builds it, without a listener. */
async function app(redisUp: () => boolean = () => true) {
  const server = await createServiceServer({
    service: 'pop-manager',
    version: '1.2.3',
    registry: createRegistry('pop-manager'),
    checks: [{ name: 'redis', check: redisUp }],
    quietRoutes: QUIET_ROUTES,
  });
  await server.register(popManagerApp, { status: async () => STATUS });
  return server;
}

describe('pop-manager buildApp', () => {
  it('answers /healthz, /ready following its checks, and /metrics with pa_pop_manager_ names', async () => {
    let redisUp = false;
    const a = await app(() => redisUp);
    expect((await a.inject('/healthz')).json()).toMatchObject({
      status: 'alive',
      service: 'pop-manager',
      version: '1.2.3',
    });
    const notReady = await a.inject('/ready');
    expect(notReady.statusCode).toBe(503);
    expect(notReady.json()).toEqual({
      service: 'pop-manager',
      ready: false,
      checks: { redis: { ok: false } },
    });
    redisUp = true;
    expect((await a.inject('/ready')).statusCode).toBe(200);
    const metrics = await a.inject('/metrics');
    expect(metrics.headers['content-type']).toMatch(/^text\/plain/);
    expect(metrics.body).toMatch(/^process_cpu_seconds_total{service="pop-manager"} /m);
    await a.close();
  });

  it('answers GET /status with the collected status, never cached', async () => {
    const a = await app();
    const r = await a.inject('/status');
    expect(r.statusCode).toBe(200);
    expect(r.headers['cache-control']).toBe('no-store');
    expect(r.json()).toEqual(STATUS);
    await a.close();
  });

  it('serves the status page, its script and styles from itself, under a CSP allowing only itself', async () => {
    const a = await app();
    const page = await a.inject('/');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.body).toContain('<script src="status-page.js" defer></script>');
    expect(page.body).toContain('<link rel="stylesheet" href="status-page.css" />');
    // Nothing from elsewhere: every src/href is relative to the service.
    expect(page.body).not.toMatch(/(src|href)="(https?:)?\/\//);
    const js = await a.inject('/status-page.js');
    expect([js.statusCode, js.headers['content-type']]).toEqual([
      200,
      'text/javascript; charset=utf-8',
    ]);
    expect(js.body).toContain("fetch('status'");
    const css = await a.inject('/status-page.css');
    expect([css.statusCode, css.headers['content-type']]).toEqual([200, 'text/css; charset=utf-8']);
    await a.close();
  });

  it('answers 404 for a route it does not have', async () => {
    const a = await app();
    expect((await a.inject('/nope')).statusCode).toBe(404);
    await a.close();
  });
});
