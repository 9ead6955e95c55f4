import { Writable } from 'node:stream';
import { createLogger } from '@pa-connector/logger';
import { createRegistry } from '@pa-connector/metrics';
import { type TSchema, Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { RouteSchemaMissing } from '../../src/route-schemas';
import { createServiceServer, type ServiceServerOptions } from '../../src/service-server';

/** A logger whose request lines land in `urls` (the URL of each `incoming request` line). */
function requestLog() {
  const urls: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      for (const line of String(chunk).split('\n')) {
        if (!line) continue;
        const entry = JSON.parse(line) as { msg?: string; req?: { url?: string } };
        if (entry.msg === 'incoming request') urls.push(entry.req?.url ?? '?');
      }
      cb();
    },
  });
  return { urls, logger: createLogger({ service: 'update', level: 'info', destination }) };
}

const answers = (shape: Record<string, TSchema>) => ({
  schema: { response: { 200: Type.Object(shape) } },
});

const routes: FastifyPluginAsync = async (app) => {
  app.get('/work', answers({ done: Type.Boolean() }), async () => ({ done: true }));
  app.get('/poll', answers({ polled: Type.Boolean() }), async () => ({ polled: true }));
};

async function server(o: Partial<ServiceServerOptions> = {}, plugin = routes) {
  const app = await createServiceServer({
    service: 'update',
    version: '1.2.3',
    registry: createRegistry('update', { defaultMetrics: false }),
    checks: [{ name: 'redis', check: () => true }],
    ...o,
  });
  await app.register(plugin);
  return app;
}

describe('createServiceServer', () => {
  it('answers the probes of a POP member beside the routes a service registers', async () => {
    const app = await server({ now: () => 5_000 });
    expect((await app.inject('/healthz')).json()).toEqual({
      status: 'alive',
      service: 'update',
      version: '1.2.3',
      uptimeSeconds: 0,
    });
    expect((await app.inject('/ready')).json()).toEqual({
      service: 'update',
      ready: true,
      checks: { redis: { ok: true } },
    });
    expect((await app.inject('/work')).json()).toEqual({ done: true });
    await app.close();
  });

  it('logs requests except the probes and the quiet routes the service names', async () => {
    const { urls, logger } = requestLog();
    const app = await server({ logger, quietRoutes: ['/poll'] });
    for (const url of ['/healthz', '/ready?verbose=1', '/metrics', '/poll', '/work?x=1']) {
      await app.inject(url);
    }
    expect(urls).toEqual(['/work?x=1']);
    await app.close();
  });

  it("logs no request at all with quietRoutes 'all'", async () => {
    const { urls, logger } = requestLog();
    const app = await server({ logger, quietRoutes: 'all' });
    await app.inject('/work');
    await app.inject('/ready');
    expect(urls).toEqual([]);
    await app.close();
  });

  it('refuses a route that declares no schemas', async () => {
    const bare: FastifyPluginAsync = async (app) => {
      app.get('/bare', async () => ({}));
    };
    await expect(server({}, bare)).rejects.toThrow(RouteSchemaMissing);
  });
});
