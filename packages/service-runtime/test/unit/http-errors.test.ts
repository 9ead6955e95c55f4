import { createRegistry } from '@pa-connector/metrics';
import { Type } from '@sinclair/typebox';
import Fastify, { type FastifyInstance } from 'fastify';
import {
  ERROR_RESPONSES,
  httpErrorHandler,
  httpErrorsPlugin,
  METRICS_PATH,
  popMemberPlugin,
  requireRouteSchemas,
} from '../../src';

const Thing = Type.Object({
  name: Type.String({ minLength: 1 }),
  at: Type.String({ format: 'date-time' }),
  tags: Type.Optional(Type.Array(Type.Object({ key: Type.String() }))),
});

async function appWith(register: (app: FastifyInstance) => void): Promise<FastifyInstance> {
  const app = Fastify();
  await app.register(httpErrorsPlugin);
  register(app);
  await app.ready();
  return app;
}

const post = (app: FastifyInstance, payload: string) =>
  app.inject({
    method: 'POST',
    url: '/things',
    payload,
    headers: { 'content-type': 'application/json' },
  });

describe('the shared error answers', () => {
  const routes = (app: FastifyInstance) => {
    app.post(
      '/things',
      { schema: { body: Thing, response: { 201: Type.Object({ ok: Type.Boolean() }) } } },
      async (_req, reply) => reply.code(201).send({ ok: true }),
    );
    app.get('/boom', { schema: { response: { 200: Type.Object({}) } } }, async () => {
      throw new Error('disk on fire');
    });
  };

  it('answers a body that breaks the schema with 400 invalid_request naming each field', async () => {
    const app = await appWith(routes);
    const res = await post(app, JSON.stringify({ at: 'soon', tags: [{ key: 1 }] }));
    expect(res.statusCode).toBe(400);
    const { error } = res.json();
    expect(error.code).toBe('invalid_request');
    expect(error.message).toContain('body.name is required');
    await app.close();
  });

  it('names a nested field with its index, and never quotes the value', async () => {
    const app = await appWith(routes);
    const res = await post(
      app,
      JSON.stringify({ name: 'n', at: 'secret-ish', tags: [{ key: 7 }] }),
    );
    expect(res.json().error.message).toMatch(/^body\.(at|tags\[0\]\.key) must/);
    const all = await post(app, JSON.stringify({ name: 'n', at: 'secret-ish' }));
    expect(all.json().error.message).toBe('body.at must match format "date-time"');
    expect(all.body).not.toContain('secret-ish');
    await app.close();
  });

  it('answers bad JSON in the same shape, and lets a good body through', async () => {
    const app = await appWith(routes);
    const bad = await post(app, '{"name":');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('invalid_request');
    const good = await post(app, JSON.stringify({ name: 'n', at: '2026-01-01T00:00:00Z' }));
    expect(good.statusCode).toBe(201);
    await app.close();
  });

  it('answers a failure of ours with 500 internal_error', async () => {
    const app = await appWith(routes);
    const res = await app.inject('/boom');
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ error: { code: 'internal_error', message: 'disk on fire' } });
    await app.close();
  });

  it('lets a route plugin answer its validation errors with a code of its own', async () => {
    const app = await appWith((a) =>
      a.register(async (child) => {
        child.setErrorHandler(httpErrorHandler({ validationCode: 'invalid_query' }));
        child.get(
          '/q',
          {
            schema: {
              querystring: Type.Object({ level: Type.Optional(Type.Literal('info')) }),
              response: { 200: Type.Object({}), ...ERROR_RESPONSES },
            },
          },
          async () => ({}),
        );
      }),
    );
    const res = await app.inject('/q?level=loud');
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toEqual({
      code: 'invalid_query',
      message: 'querystring.level must be equal to constant',
    });
    await app.close();
  });
});

describe('the probe routes', () => {
  it('declare their schemas, and /ready keeps every check detail', async () => {
    const app = Fastify();
    requireRouteSchemas(app, [METRICS_PATH]);
    let up = false;
    await app.register(popMemberPlugin, {
      service: 'logging',
      version: '1.2.3',
      registry: createRegistry('logging'),
      checks: [
        {
          name: 'redis',
          check: () => up,
          detail: () => ({ status: up ? 'ready' : 'wait', n: [1] }),
        },
      ],
      now: () => 5_000,
    });
    const down = await app.inject('/ready');
    expect(down.statusCode).toBe(503);
    expect(down.json()).toEqual({
      service: 'logging',
      ready: false,
      checks: { redis: { ok: false, detail: { status: 'wait', n: [1] } } },
    });
    up = true;
    expect((await app.inject('/ready')).statusCode).toBe(200);
    expect((await app.inject('/healthz')).json()).toEqual({
      status: 'alive',
      service: 'logging',
      version: '1.2.3',
      uptimeSeconds: 0,
    });
    expect((await app.inject(METRICS_PATH)).headers['content-type']).toMatch(/^text\/plain/);
    await app.close();
  });
});
