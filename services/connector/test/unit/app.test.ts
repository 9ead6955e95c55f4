import { createRegistry } from '@pa-connector/metrics';
import { createServiceServer } from '@pa-connector/service-runtime';
import {
  type GroupInfo,
  InternalApiRoutes,
  SseApiError,
  SseProtocolError,
  UPDATE_SLOT_TAKEN,
} from '@pa-connector/sse-api';
import { FakeClock } from '@pa-connector/test-support';
import { connectorApp } from '../../src/app';
import { Drain } from '../../src/drain/drain';
import { ConnectorState, enrolledCheck } from '../../src/state';
import { captureLogger } from '../support/capture-logger';

const group: GroupInfo = {
  groupId: 'grp_1',
  name: 'east',
  connectors: [
    { id: 'con_1', hostname: 'vm1', state: 'active', freshTunnels: 2 },
    { id: 'con_2', hostname: 'vm2', state: 'active', freshTunnels: 2 },
  ],
  updateSlot: null,
};
const grant = { connectorId: 'con_1', leaseId: 'l1', expiresAt: '2030-01-01T00:10:00.000Z' };

function fakeForwarder() {
  return {
    popStatus: jest.fn(async () => ({ accepted: 1 })),
    release: jest.fn(async () => ({
      version: '1.0.1',
      publishedAt: '2030-01-01T00:00:00Z',
      images: {},
    })),
    logs: jest.fn(async (b: { entries: unknown[] }) => ({ accepted: b.entries.length })),
    group: jest.fn(async () => group),
    updateSlot: jest.fn(async (_r: { ttlSeconds: number }) => grant),
    updateSlotRelease: jest.fn(async (_r: { leaseId: string }) => ({ released: true })),
  };
}

/** The data path as the drain sees it: `open` streams, and whether it was told to drain. */
function fakeTarget() {
  let finish: (cut: number) => void = () => undefined;
  const t = {
    openConnections: 0,
    drained: [] as number[],
    undrained: 0,
    finish: (cut: number) => finish(cut),
    drain: (graceMs: number) => {
      t.drained.push(graceMs);
      return new Promise<number>((resolve) => {
        finish = resolve;
      });
    },
    undrain: () => {
      t.undrained++;
      t.finish(0);
    },
  };
  return t;
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
  const registry = createRegistry('connector', { defaultMetrics: false });
  const target = fakeTarget();
  const clock = new FakeClock();
  const log = captureLogger();
  const drain = new Drain({
    clock,
    logger: log.logger,
    registry,
    defaultGraceMs: 30_000,
    target: () => target,
  });
  const app = await createServiceServer({
    service: 'connector',
    version: '9.9.9',
    registry,
    checks: [
      enrolledCheck(state),
      { name: 'redis', check: () => o.redisUp !== false },
      { name: 'accepting', check: () => !drain.draining },
    ],
    draining: () => drain.draining,
    quietRoutes: 'all',
  });
  await app.register(connectorApp, {
    internalApi: {
      forwarder: () => (state.phase === 'enrolled' ? forwarder : undefined),
      drain,
      ...(o.apiToken ? { apiToken: o.apiToken } : {}),
      observe: (route, status) => observed.push([route, status]),
    },
  });
  return { app, forwarder, state, observed, drain, target, clock, log, registry };
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

  it('forwards the group, the update slot and its release, each body checked', async () => {
    const { app, forwarder } = await setup();
    const g = await app.inject(InternalApiRoutes.group);
    expect([g.statusCode, g.json()]).toEqual([200, group]);
    const take = await app.inject({
      method: 'POST',
      url: InternalApiRoutes.updateSlot,
      payload: { ttlSeconds: 600 },
    });
    expect([take.statusCode, take.json()]).toEqual([200, grant]);
    expect(forwarder.updateSlot).toHaveBeenCalledWith({ ttlSeconds: 600 });
    const release = await app.inject({
      method: 'POST',
      url: InternalApiRoutes.updateSlotRelease,
      payload: { leaseId: 'l1' },
    });
    expect([release.statusCode, release.json()]).toEqual([200, { released: true }]);
    expect(forwarder.updateSlotRelease).toHaveBeenCalledWith({ leaseId: 'l1' });
    for (const [url, payload, message] of [
      [InternalApiRoutes.updateSlot, { ttlSeconds: 5 }, 'body.ttlSeconds must be >= 10'],
      [InternalApiRoutes.updateSlotRelease, {}, 'body.leaseId is required'],
    ] as const) {
      const r = await app.inject({ method: 'POST', url, payload });
      expect([r.statusCode, r.json()]).toEqual([
        400,
        { error: { code: 'invalid_request', message } },
      ]);
    }
    expect(forwarder.updateSlot).toHaveBeenCalledTimes(1);
  });

  it('passes a taken update slot through as 409 update_slot_taken with its message', async () => {
    const { app, forwarder } = await setup();
    const message =
      'SSE updateSlot: the group update slot is held by con_2 until 2030-01-01T00:05:00.000Z (update_slot_taken, HTTP 409)';
    forwarder.updateSlot.mockRejectedValueOnce(
      new SseApiError('updateSlot', 409, UPDATE_SLOT_TAKEN, message),
    );
    const r = await app.inject({
      method: 'POST',
      url: InternalApiRoutes.updateSlot,
      payload: { ttlSeconds: 600 },
    });
    expect([r.statusCode, r.json()]).toEqual([
      409,
      { error: { code: UPDATE_SLOT_TAKEN, message } },
    ]);
  });

  it('answers the group 503 not_enrolled before enrollment', async () => {
    const { app } = await setup({ enrolled: false });
    const r = await app.inject(InternalApiRoutes.group);
    expect([r.statusCode, r.json().error.code]).toEqual([503, 'not_enrolled']);
  });

  it('drains on POST (202 DrainState), reports it on GET and in /ready, and DELETE takes it back into service', async () => {
    const { app, target, clock, registry } = await setup();
    expect((await app.inject(InternalApiRoutes.drain)).json()).toEqual({
      draining: false,
      openConnections: 0,
      drained: false,
    });
    expect((await app.inject('/ready')).json().draining).toBe(false);
    target.openConnections = 2;
    const started = await app.inject({
      method: 'POST',
      url: InternalApiRoutes.drain,
      payload: { graceSeconds: 20 },
    });
    expect([started.statusCode, started.json()]).toEqual([
      202,
      {
        draining: true,
        since: new Date(clock.now()).toISOString(),
        openConnections: 2,
        drained: false,
      },
    ]);
    expect(target.drained).toEqual([20_000]);
    // Again: idempotent, the first grace holds.
    const again = await app.inject({ method: 'POST', url: InternalApiRoutes.drain });
    expect(again.statusCode).toBe(202);
    expect(target.drained).toEqual([20_000]);
    const ready = await app.inject('/ready');
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({ draining: true, checks: { accepting: { ok: false } } });
    expect(await registry.metrics()).toMatch(/^pa_connector_draining 1$/m);
    target.openConnections = 0;
    target.finish(0);
    await new Promise((r) => setImmediate(r));
    expect((await app.inject(InternalApiRoutes.drain)).json()).toMatchObject({
      draining: true,
      drained: true,
      openConnections: 0,
    });
    const back = await app.inject({ method: 'DELETE', url: InternalApiRoutes.drain });
    expect([back.statusCode, back.json()]).toEqual([
      200,
      { draining: false, openConnections: 0, drained: false },
    ]);
    expect(target.undrained).toBe(1);
    const readyAgain = await app.inject('/ready');
    expect([readyAgain.statusCode, readyAgain.json().draining]).toEqual([200, false]);
    expect(await registry.metrics()).toMatch(/^pa_connector_draining 0$/m);
  });

  it('a bare POST drains with the configured grace; a bad grace is named', async () => {
    const { app, target } = await setup();
    const bad = await app.inject({
      method: 'POST',
      url: InternalApiRoutes.drain,
      payload: { graceSeconds: -1 },
    });
    expect([bad.statusCode, bad.json().error.message]).toEqual([
      400,
      'body.graceSeconds must be >= 0',
    ]);
    const r = await app.inject({ method: 'POST', url: InternalApiRoutes.drain });
    expect(r.statusCode).toBe(202);
    expect(target.drained).toEqual([30_000]);
  });

  it('refuses to undo the drain of a stop with 409 stopping', async () => {
    const { app, drain, target } = await setup();
    const stopped = drain.stop();
    const r = await app.inject({ method: 'DELETE', url: InternalApiRoutes.drain });
    expect([r.statusCode, r.json().error.code]).toEqual([409, 'stopping']);
    expect(target.undrained).toBe(0);
    target.finish(0);
    await stopped;
  });
});
