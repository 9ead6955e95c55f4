import { createRegistry } from '@pa-connector/metrics';
import { createServiceServer } from '@pa-connector/service-runtime';
import { InternalApiRoutes, SseApiError, SseProtocolError } from '@pa-connector/sse-api';
import { connectorApp } from '../../src/app';
import { ConnectorState, enrolledCheck } from '../../src/state';

function fakeForwarder() {
  return {
    popStatus: jest.fn(async () => ({ accepted: 1 })),
    release: jest.fn(async () => ({
      version: '1.0.1',
      publishedAt: '2030-01-01T00:00:00Z',
      images: {},
    })),
    logs: jest.fn(async (b: { entries: unknown[] }) => ({ accepted: b.entries.length })),
  };
}

async function setup(o: { enrolled?: boolean; apiToken?: string; redisUp?: boolean } = {}) {
  const state = new ConnectorState();
  if (o.enrolled !== false) {
    state.phase = 'enrolled';
    state.identity = {
      connectorId: 'con_1',
      groupId: 'g',
      region: 'p',
      hostname: 'vm1',
      certificateSerial: '01',
      certificateNotBefore: '2030-01-01T00:00:00Z',
      certificateExpiresAt: '2030-02-01T00:00:00Z',
      enrolledAt: '2030-01-01T00:00:00Z',
      gateways: [],
    };
  }
  const forwarder = fakeForwarder();
  const observed: Array<[string, number]> = [];
  const app = await createServiceServer({
    service: 'connector',
    version: '9.9.9',
    registry: createRegistry('connector', { defaultMetrics: false }),
    checks: [enrolledCheck(state), { name: 'redis', check: () => o.redisUp !== false }],
    quietRoutes: 'all',
  });
  await app.register(connectorApp, {
    internalApi: {
      forwarder: () => (state.phase === 'enrolled' ? forwarder : undefined),
      ...(o.apiToken ? { apiToken: o.apiToken } : {}),
      observe: (route, status) => observed.push([route, status]),
    },
  });
  return { app, forwarder, state, observed };
}

const status = { hostname: 'vm1', reportedAt: '2030-01-01T00:00:00Z', services: {} };

describe('connector HTTP app', () => {
  it('is ready only when enrolled and Redis is up', async () => {
    const a = await setup({ enrolled: false });
    const r = await a.app.inject('/ready');
    expect(r.statusCode).toBe(503);
    expect(r.json().checks.enrolled).toEqual({ ok: false, detail: { phase: 'starting' } });
    const b = await setup({ redisUp: false });
    expect((await b.app.inject('/ready')).statusCode).toBe(503);
    const c = await setup();
    const ok = await c.app.inject('/ready');
    expect(ok.statusCode).toBe(200);
    expect(ok.json().checks.enrolled.detail).toMatchObject({ connectorId: 'con_1' });
    expect((await c.app.inject('/healthz')).json()).toMatchObject({
      status: 'alive',
      version: '9.9.9',
    });
  });

  it('answers 503 not_enrolled before enrollment', async () => {
    const { app } = await setup({ enrolled: false });
    const r = await app.inject({
      method: 'POST',
      url: InternalApiRoutes.popStatus,
      payload: status,
    });
    expect(r.statusCode).toBe(503);
    expect(r.json()).toEqual({ error: { code: 'not_enrolled', message: expect.any(String) } });
  });

  it('forwards POP status, logs and release', async () => {
    const { app, forwarder, observed } = await setup();
    const r1 = await app.inject({
      method: 'POST',
      url: InternalApiRoutes.popStatus,
      payload: status,
    });
    expect(r1.statusCode).toBe(202);
    expect(forwarder.popStatus).toHaveBeenCalledWith(status);
    const r2 = await app.inject({
      method: 'POST',
      url: InternalApiRoutes.logs,
      payload: { entries: [{ a: 1 }, { b: 2 }] },
    });
    expect([r2.statusCode, r2.json()]).toEqual([202, { accepted: 2 }]);
    const r3 = await app.inject(InternalApiRoutes.release);
    expect([r3.statusCode, r3.json().version]).toEqual([200, '1.0.1']);
    expect(observed).toEqual([
      [InternalApiRoutes.popStatus, 202],
      [InternalApiRoutes.logs, 202],
      [InternalApiRoutes.release, 200],
    ]);
  });

  it.each([
    [InternalApiRoutes.popStatus, { hostname: 'vm1' }],
    [InternalApiRoutes.popStatus, [1]],
    [InternalApiRoutes.popStatus, { hostname: 'vm1', reportedAt: 'yesterday' }],
    [InternalApiRoutes.logs, { entries: 'x' }],
    [InternalApiRoutes.logs, { entries: [1] }],
  ])('refuses a bad body for %s with 400 invalid_request', async (url, payload) => {
    const { app, forwarder } = await setup();
    const r = await app.inject({ method: 'POST', url, payload });
    expect(r.statusCode).toBe(400);
    expect(r.json().error.code).toBe('invalid_request');
    expect(forwarder.popStatus).not.toHaveBeenCalled();
  });

  it.each([
    [{ hostname: 'vm1' }, 'body.reportedAt is required'],
    [{ hostname: 'vm1', reportedAt: 'yesterday' }, 'body.reportedAt must match format "date-time"'],
    [{ hostname: {}, reportedAt: '2030-01-01T00:00:00Z' }, 'body.hostname must be string'],
  ])('names the field a bad POP status breaks (%j)', async (payload, message) => {
    const { app } = await setup();
    const r = await app.inject({ method: 'POST', url: InternalApiRoutes.popStatus, payload });
    expect(r.json()).toEqual({ error: { code: 'invalid_request', message } });
  });

  it('answers malformed JSON in its own error shape', async () => {
    const { app } = await setup();
    const r = await app.inject({
      method: 'POST',
      url: InternalApiRoutes.logs,
      headers: { 'content-type': 'application/json' },
      payload: '{"entries": [',
    });
    expect(r.statusCode).toBe(400);
    expect(r.json().error.code).toBe('invalid_request');
  });

  it.each([
    [new SseApiError('popStatus', 503, 'injected_fault', 'down'), 502, 'sse_unavailable'],
    [new SseApiError('popStatus', undefined, 'network_error', 'refused'), 502, 'sse_unavailable'],
    [new SseApiError('popStatus', 403, 'forbidden', 'no'), 502, 'sse_rejected'],
    [new SseApiError('popStatus', 400, 'invalid_request', 'bad field'), 400, 'invalid_request'],
    [new SseApiError('release', 404, 'not_found', 'no release'), 404, 'not_found'],
    [new SseProtocolError('popStatus', 'not JSON'), 502, 'sse_bad_response'],
  ])('maps %s to %i %s', async (err, statusCode, code) => {
    const { app, forwarder } = await setup();
    forwarder.popStatus.mockRejectedValueOnce(err);
    const r = await app.inject({
      method: 'POST',
      url: InternalApiRoutes.popStatus,
      payload: status,
    });
    expect(r.statusCode).toBe(statusCode);
    expect(r.json().error.code).toBe(code);
  });

  it('requires the shared secret when one is configured', async () => {
    const { app, forwarder } = await setup({ apiToken: 'internal-secret-1' });
    const none = await app.inject(InternalApiRoutes.release);
    expect(none.statusCode).toBe(401);
    expect(none.json().error.code).toBe('unauthorized');
    const wrong = await app.inject({
      url: InternalApiRoutes.release,
      headers: { authorization: 'Bearer nope' },
    });
    expect(wrong.statusCode).toBe(401);
    const right = await app.inject({
      url: InternalApiRoutes.release,
      headers: { authorization: 'Bearer internal-secret-1' },
    });
    expect(right.statusCode).toBe(200);
    expect(forwarder.release).toHaveBeenCalledTimes(1);
    // Probes stay open: the secret guards the internal API only.
    expect((await app.inject('/healthz')).statusCode).toBe(200);
  });
});
