import { join } from 'node:path';
import { formatProvisioningKey, InternalApiRoutes } from '@pa-connector/sse-api';
import { freePort, startRedis, stopAll, type TestRedis, waitFor } from '@pa-connector/test-support';
import { type EmulatorHarness, startEmulatorHarness } from '@pa-connector/test-support/emulator';
import { type InProcessConnector, scratch, startInProcess, testEnv } from '../support/connector';

afterAll(stopAll);

const json = (body: unknown, token?: string) => ({
  method: 'POST',
  headers: {
    'content-type': 'application/json',
    ...(token ? { authorization: `Bearer ${token}` } : {}),
  },
  body: JSON.stringify(body),
});

describe('internal API: the other POP services reach the SSE through the connector', () => {
  let redis: TestRedis;
  let emu: EmulatorHarness;
  let tmp: ReturnType<typeof scratch>;
  let c: InProcessConnector;
  let deadUrl: string;
  const apiToken = 'internal-api-shared-secret';

  beforeAll(async () => {
    redis = await startRedis();
    tmp = scratch();
    emu = await startEmulatorHarness();
    // Nothing listens here: the first SSE URL is dead.
    deadUrl = `https://127.0.0.1:${await freePort()}`;
    const groupId = await emu.admin.group();
    const { key } = await emu.admin.key(groupId);
    c = await startInProcess(
      testEnv({
        sseUrls: [deadUrl, emu.sseUrl],
        caCertPath: emu.caCertPath,
        dataDir: join(tmp.dir, 'data'),
        redisUrl: redis.url,
        redisPrefix: redis.prefix,
        keyFile: tmp.file('key', key),
        extra: {
          PA_INTERNAL_API_TOKEN_FILE: tmp.file('api-token', `${apiToken}\n`),
          PA_INTERNAL_API_ATTEMPTS: '2',
        },
      }),
    );
    await waitFor('ready', async () => (await fetch(`${c.url}/ready`)).status === 200, 15_000);
  });
  afterAll(async () => {
    await c?.stop();
    await emu?.stop();
    await redis?.stop();
    tmp?.cleanup();
  });

  const connectorId = () => c.service.controlPlane.identity?.connectorId as string;

  it('failed over from the dead first SSE URL to the live second one, and remembers it', async () => {
    const failovers = c.lines
      .map((l) => JSON.parse(l))
      .filter((l) => l.msg === 'SSE URL failed; trying the next one');
    expect(failovers.length).toBeGreaterThanOrEqual(1);
    expect(failovers[0]).toMatchObject({
      url: `${deadUrl}/`,
      outcome: 'network_error',
      endpoint: 'register',
    });
    const before = c.lines.length;
    const r = await fetch(
      `${c.url}${InternalApiRoutes.popStatus}`,
      json({ hostname: 'pop-vm-1', reportedAt: new Date().toISOString() }, apiToken),
    );
    expect(r.status).toBe(202);
    // The URL that worked is tried first now: no new failover.
    expect(c.lines.slice(before).some((l) => l.includes('trying the next one'))).toBe(false);
  });

  it('forwards POP status to the SSE (visible in its admin API)', async () => {
    const status = {
      hostname: 'pop-vm-1',
      reportedAt: new Date().toISOString(),
      services: { connector: 'ready' },
      marker: 'm-1',
    };
    const r = await fetch(`${c.url}${InternalApiRoutes.popStatus}`, json(status, apiToken));
    expect(r.status).toBe(202);
    expect(await r.json()).toEqual({ accepted: 1 });
    const view = await emu.admin.connector(connectorId());
    expect(view.popStatus).toMatchObject({ body: { marker: 'm-1', hostname: 'pop-vm-1' } });
  });

  it('forwards log batches', async () => {
    const r = await fetch(
      `${c.url}${InternalApiRoutes.logs}`,
      json({ entries: [{ msg: 'a' }, { msg: 'b' }] }, apiToken),
    );
    expect([r.status, await r.json()]).toEqual([202, { accepted: 2 }]);
    const view = await emu.admin.connector(connectorId());
    expect(view.logEntries).toBeGreaterThanOrEqual(2);
  });

  it('returns the release manifest, and the SSE 404 when there is none', async () => {
    const get = () =>
      fetch(`${c.url}${InternalApiRoutes.release}`, {
        headers: { authorization: `Bearer ${apiToken}` },
      });
    const none = await get();
    expect(none.status).toBe(404);
    expect(((await none.json()) as { error: { code: string } }).error.code).toBe('not_found');
    await emu.admin.setRelease({ version: '1.0.1', images: {} });
    const r = await get();
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ version: '1.0.1' });
  });

  it('answers 502 with a code when the SSE keeps failing, after retrying', async () => {
    await emu.admin.fault('popStatus', { mode: '5xx', status: 500 });
    try {
      const r = await fetch(
        `${c.url}${InternalApiRoutes.popStatus}`,
        json({ hostname: 'pop-vm-1', reportedAt: new Date().toISOString() }, apiToken),
      );
      expect(r.status).toBe(502);
      const body = (await r.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('sse_unavailable');
      expect(body.error.message).toContain('HTTP 500');
      const retried = c.lines.filter((l) => l.includes('forwarding to the SSE failed; retrying'));
      expect(retried.length).toBeGreaterThanOrEqual(1);
    } finally {
      await emu.admin.clearFaults();
    }
  });

  it('recovers from one failure by retrying', async () => {
    await emu.admin.fault('popStatus', { mode: 'down', count: 1 });
    const r = await fetch(
      `${c.url}${InternalApiRoutes.popStatus}`,
      json({ hostname: 'pop-vm-1', reportedAt: new Date().toISOString() }, apiToken),
    );
    expect(r.status).toBe(202);
  });

  it('drains and comes back through the internal API: /ready 503 draining, the state, then in service again', async () => {
    const auth = { authorization: `Bearer ${apiToken}` };
    const started = await fetch(
      `${c.url}${InternalApiRoutes.drain}`,
      json({ graceSeconds: 5 }, apiToken),
    );
    expect(started.status).toBe(202);
    expect(await started.json()).toMatchObject({ draining: true, openConnections: 0 });
    const state = await waitFor('drained (nothing open)', async () => {
      const r = await fetch(`${c.url}${InternalApiRoutes.drain}`, { headers: auth });
      const b = (await r.json()) as { drained: boolean };
      return b.drained ? b : undefined;
    });
    expect(state).toMatchObject({ draining: true, drained: true });
    const ready = await fetch(`${c.url}/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({
      draining: true,
      checks: { accepting: { ok: false } },
    });
    expect(await (await fetch(`${c.url}/metrics`)).text()).toMatch(/^pa_connector_draining 1$/m);
    expect(c.lines.some((l) => l.includes('"msg":"drain started'))).toBe(true);
    const back = await fetch(`${c.url}${InternalApiRoutes.drain}`, {
      method: 'DELETE',
      headers: auth,
    });
    expect([back.status, await back.json()]).toEqual([
      200,
      { draining: false, openConnections: 0, drained: false },
    ]);
    const readyAgain = await fetch(`${c.url}/ready`);
    expect([
      readyAgain.status,
      ((await readyAgain.json()) as { draining: boolean }).draining,
    ]).toEqual([200, false]);
  });

  it('requires the shared secret', async () => {
    const r = await fetch(
      `${c.url}${InternalApiRoutes.popStatus}`,
      json({ hostname: 'pop-vm-1', reportedAt: new Date().toISOString() }),
    );
    expect(r.status).toBe(401);
    expect(((await r.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
  });

  it('answers 503 not_enrolled while the connector has not enrolled', async () => {
    const other = await startInProcess(
      testEnv({
        sseUrls: [deadUrl],
        caCertPath: emu.caCertPath,
        dataDir: join(tmp.dir, 'data-unenrolled'),
        redisUrl: redis.url,
        redisPrefix: `${redis.prefix}other:`,
        keyFile: tmp.file(
          'key2',
          formatProvisioningKey({
            connectorName: 'g',
            customerId: 'cus_1',
            keyId: '0'.repeat(16),
            secret: 'x'.repeat(43),
          }),
        ),
      }),
    );
    try {
      const r = await fetch(`${other.url}${InternalApiRoutes.release}`);
      expect(r.status).toBe(503);
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe('not_enrolled');
    } finally {
      await other.stop();
    }
  });
});
