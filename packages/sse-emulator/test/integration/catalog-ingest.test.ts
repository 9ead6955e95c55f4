import { SseRoutes } from '@pa-connector/sse-api';
import { type Enrolled, enroll, startTestEmulator, type TestEmulator } from '../support/harness';
import { WIKI } from '../support/sample-app';

let t: TestEmulator;
let c: Enrolled;
beforeAll(async () => {
  t = await startTestEmulator();
  c = await enroll(t);
});
afterAll(() => t.cleanup());

const call = (path: string, body?: unknown, headers?: Record<string, string>) =>
  t.sse({ path, cert: c.tls, token: c.token, body, ...(headers ? { headers } : {}) });

describe('catalog', () => {
  it('serves the group apps raw with an ETag and answers 304 when unchanged', async () => {
    const first = await call(SseRoutes.catalog);
    expect(first.status).toBe(200);
    expect(first.json()).toEqual({ version: '1', apps: [] });
    expect(first.headers.etag).toBe('"1"');
    const same = await call(SseRoutes.catalog, undefined, { 'if-none-match': '"1"' });
    expect(same.status).toBe(304);
    expect(same.text).toBe('');

    const apps = [
      { id: 'wiki', ...WIKI },
      { id: 'broken', port: 'not-a-port' },
    ];
    expect((await t.admin.put(`/admin/groups/${c.groupId}/apps`, apps)).status).toBe(200);
    const changed = await call(SseRoutes.catalog, undefined, { 'if-none-match': '"1"' });
    expect(changed.status).toBe(200);
    expect(changed.headers.etag).toBe('"2"');
    expect(changed.json()).toEqual({ version: '2', apps });

    const added = await t.admin.post(`/admin/groups/${c.groupId}/apps`, { app: { id: 'git' } });
    expect(added.status).toBe(201);
    expect(added.body.catalogVersion).toBe(3);
    const third = await call(SseRoutes.catalog, undefined, { 'if-none-match': 'W/"2", "9"' });
    expect(third.status).toBe(200);
    expect(third.json().apps).toHaveLength(3);
  });
});

describe('health, POP status and logs', () => {
  it('stores the latest of each and shows it in the admin API', async () => {
    const health = {
      connectorId: c.connectorId,
      sentAt: '2026-01-01T00:00:00Z',
      tunnel: 'tun0',
      apps: [{ id: 'wiki', state: 'up', servers: [] }],
    };
    const h = await call(SseRoutes.health, health);
    expect(h.status).toBe(202);
    expect(h.json()).toEqual({ accepted: 1 });
    const p = await call(SseRoutes.popStatus, {
      hostname: 'host-1',
      reportedAt: '2026-01-01T00:00:00Z',
      services: { redis: 'up' },
    });
    expect(p.status).toBe(202);
    const l = await call(SseRoutes.logs, { entries: [{ msg: 'a' }, { msg: 'b' }] });
    expect(l.json()).toEqual({ accepted: 2 });

    const view = (await t.admin.get(`/admin/connectors/${c.connectorId}`)).body;
    expect(view.health.body).toEqual(health);
    expect(view.popStatus.body.services).toEqual({ redis: 'up' });
    expect(view.logBatches).toBe(1);
    expect(view.logEntries).toBe(2);
    expect(view.recentLogs).toEqual([{ msg: 'a' }, { msg: 'b' }]);
    const list = (await t.admin.get('/admin/connectors')).body;
    expect(list.find((x: { id: string }) => x.id === c.connectorId).health.body.tunnel).toBe(
      'tun0',
    );
  });

  it('rejects bad bodies naming the field', async () => {
    const cases: Array<[string, unknown, RegExp]> = [
      [SseRoutes.health, { sentAt: 'x' }, /apps must be an array/],
      [SseRoutes.health, { connectorId: 'con_other', sentAt: 'x', apps: [] }, /connectorId/],
      [SseRoutes.health, { sentAt: 'x', apps: [{}] }, /apps\[0\]/],
      [SseRoutes.popStatus, { reportedAt: 'x' }, /hostname/],
      [SseRoutes.logs, { entries: [1] }, /entries\[0\]/],
      [SseRoutes.logs, [], /JSON object/],
    ];
    for (const [path, body, message] of cases) {
      const res = await call(path, body);
      expect(res.status).toBe(400);
      expect(res.json().error).toEqual({
        code: 'invalid_request',
        message: expect.stringMatching(message),
      });
    }
  });
});

describe('release manifest', () => {
  it('is 404 until published, then served as set', async () => {
    const none = await call(SseRoutes.release);
    expect(none.status).toBe(404);
    expect(none.json().error.code).toBe('not_found');

    const manifest = {
      version: '1.0.1',
      publishedAt: '2026-01-01T00:00:00.000Z',
      minAutoUpgradeVersion: '1.0.0.3',
      images: {
        connector: {
          image: 'registry.local:5000/pa/connector:1.0.1',
          digest: `sha256:${'a'.repeat(64)}`,
        },
      },
    };
    expect((await t.admin.put('/admin/release', manifest)).status).toBe(200);
    const got = await call(SseRoutes.release);
    expect(got.status).toBe(200);
    expect(got.json()).toEqual(manifest);

    const bad = await t.admin.put('/admin/release', {
      version: '2',
      images: { connector: { image: 'x', digest: 'md5:1' } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/images.connector.digest/);
  });
});
