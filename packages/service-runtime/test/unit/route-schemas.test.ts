import { Type } from '@sinclair/typebox';
import Fastify from 'fastify';
import { missingSchemas, RouteSchemaMissing, requireRouteSchemas } from '../../src/route-schemas';

const ok = { response: { 200: Type.Object({ ok: Type.Boolean() }) } };

describe('missingSchemas', () => {
  it('asks every route for a response schema', () => {
    expect(missingSchemas({ method: 'GET', url: '/x', schema: {} })).toEqual(['response']);
    expect(missingSchemas({ method: 'GET', url: '/x' })).toEqual(['response']);
    expect(missingSchemas({ method: 'GET', url: '/x', schema: ok })).toEqual([]);
  });

  it('asks for params when the URL has one, and a body for the methods that carry one', () => {
    expect(missingSchemas({ method: 'PUT', url: '/a/:id', schema: ok })).toEqual([
      'body',
      'params',
    ]);
    expect(missingSchemas({ method: ['GET', 'POST'], url: '/a', schema: ok })).toEqual(['body']);
    expect(
      missingSchemas({
        method: 'DELETE',
        url: '/a/:id',
        schema: { ...ok, params: Type.Object({ id: Type.String() }) },
      }),
    ).toEqual([]);
  });
});

describe('requireRouteSchemas', () => {
  it('refuses a route without its schemas when it is registered, naming it', () => {
    const app = Fastify();
    requireRouteSchemas(app);
    expect(() => app.post('/things/:id', async () => ({ ok: true }))).toThrow(RouteSchemaMissing);
    expect(() => app.post('/things/:id', async () => ({ ok: true }))).toThrow(
      'route POST /things/:id declares no body, params, response schema',
    );
  });

  it('reaches routes registered by plugins, and lets exempt URLs through', async () => {
    const app = Fastify();
    requireRouteSchemas(app, ['/metrics']);
    app.get('/metrics', async () => 'text');
    app.register(async (child) => {
      child.get('/inner', async () => ({}));
    });
    await expect(app.ready()).rejects.toThrow('route GET /inner declares no response schema');
  });

  it('lets a fully declared route serve', async () => {
    const app = Fastify();
    requireRouteSchemas(app);
    app.get('/x', { schema: ok }, async () => ({ ok: true }));
    const res = await app.inject({ url: '/x' });
    expect(res.json()).toEqual({ ok: true });
    await app.close();
  });
});
