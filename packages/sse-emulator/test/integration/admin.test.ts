import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseProvisioningKey } from '@pa-connector/sse-api';
import { adminClient } from '../support/admin-client';
import { startTestEmulator, type TestEmulator } from '../support/harness';

let t: TestEmulator;
beforeAll(async () => {
  t = await startTestEmulator({ adminToken: 'admin-secret-token' });
});
afterAll(() => t.cleanup());

describe('admin API', () => {
  it('needs the admin token when one is configured (healthz excepted)', async () => {
    const anonymous = adminClient(t.emu.adminUrl);
    expect((await anonymous.get('/admin/healthz')).status).toBe(200);
    const refused = await anonymous.get('/admin/groups');
    expect(refused.status).toBe(401);
    const wrong = adminClient(t.emu.adminUrl, 'guess');
    expect((await wrong.get('/admin/groups')).status).toBe(401);
    expect((await t.admin.get('/admin/groups')).status).toBe(200);
  });

  it('serves the CA certificate and writes ca.crt to the data dir', async () => {
    const res = await fetch(`${t.emu.adminUrl}/admin/ca`, {
      headers: { authorization: 'Bearer admin-secret-token' },
    });
    expect(await res.text()).toBe(t.emu.caCertPem);
    expect((await stat(join(t.dataDir, 'ca.key'))).mode & 0o777).toBe(0o600);
    expect((await stat(join(t.dataDir, 'state.json'))).mode & 0o777).toBe(0o600);
  });

  it('creates groups, lists keys without secrets, revokes keys', async () => {
    const group = await t.admin.post('/admin/groups', { name: 'branch' });
    expect(group.status).toBe(201);
    expect(group.body).toMatchObject({
      name: 'branch',
      region: 'local',
      catalogVersion: 1,
      apps: [],
    });
    const key = await t.admin.post(`/admin/groups/${group.body.id}/keys`, {
      maxUses: 3,
      expiresInSeconds: 600,
    });
    expect(key.status).toBe(201);
    expect(key.body).toMatchObject({ maxUses: 3, uses: 0, status: 'active' });
    expect(Date.parse(key.body.expiresAt) - t.clock.now()).toBe(600_000);
    const secrets = [group.body.key, key.body.key].map((k: string) => {
      const parsed = parseProvisioningKey(k);
      if (!parsed.ok) throw new Error(parsed.reason);
      return parsed.key.secret;
    });

    // The group's own key (made with it) and the one just made; neither shown whole again.
    const list = await t.admin.get(`/admin/groups/${group.body.id}/keys`);
    expect(list.body.map((k: { id: string }) => k.id).sort()).toEqual(
      [group.body.keyId, key.body.id].sort(),
    );
    for (const secret of secrets) {
      expect(JSON.stringify(list.body)).not.toContain(secret);
      expect(
        JSON.stringify((await t.admin.get(`/admin/groups/${group.body.id}`)).body),
      ).not.toContain(secret);
      expect(t.logs()).not.toContain(secret);
    }
    expect(list.body.map((k: { key?: string }) => k.key)).toEqual([undefined, undefined]);

    const revoked = await t.admin.post(`/admin/keys/${key.body.id}/revoke`);
    expect(revoked.body).toMatchObject({ revoked: true, status: 'revoked' });
    expect((await t.admin.get('/admin/groups')).body.map((g: { id: string }) => g.id)).toContain(
      group.body.id,
    );
  });

  it('answers bad input with 400 naming the field, unknown ids with 404', async () => {
    const group = (await t.admin.post('/admin/groups', { name: 'g' })).body;
    const cases: Array<[string, string, unknown, number, RegExp]> = [
      ['POST', '/admin/groups', {}, 400, /name/],
      ['POST', '/admin/groups', { name: 'x', region: 'mars' }, 400, /region/],
      ['POST', '/admin/groups', { name: 'x', maxConnectors: 0 }, 400, /maxConnectors/],
      ['POST', '/admin/groups', { name: 'x', customerId: 'a b' }, 400, /customerId must be an id/],
      ['POST', `/admin/groups/${group.id}/keys`, { maxUses: 0 }, 400, /maxUses/],
      ['POST', `/admin/groups/${group.id}/keys`, { expiresInSeconds: -1 }, 400, /expiresInSeconds/],
      ['POST', `/admin/groups/${group.id}/keys`, { expiresAt: 'tomorrow' }, 400, /expiresAt/],
      [
        'POST',
        `/admin/groups/${group.id}/keys`,
        { expiresAt: '2030-01-01T00:00:00Z', expiresInSeconds: 5 },
        400,
        /not both/,
      ],
      ['PUT', `/admin/groups/${group.id}/apps`, { id: 'x' }, 400, /array/],
      ['PUT', '/admin/release', { images: {} }, 400, /version/],
      ['PUT', '/admin/release', { version: '1', images: { db: {} } }, 400, /images.db/],
      ['POST', '/admin/groups/grp_nope/keys', {}, 404, /grp_nope/],
      ['POST', '/admin/groups/grp_nope/keys/rotate', undefined, 404, /grp_nope/],
      ['GET', '/admin/connectors/con_nope', undefined, 404, /con_nope/],
      ['POST', '/admin/keys/0000/revoke', undefined, 404, /0000/],
      ['GET', '/admin/nothing-here', undefined, 404, /no route/],
    ];
    for (const [method, path, body, status, message] of cases) {
      const res =
        method === 'GET'
          ? await t.admin.get(path)
          : method === 'PUT'
            ? await t.admin.put(path, body)
            : await t.admin.post(path, body);
      expect({ path, status: res.status }).toEqual({ path, status });
      expect(res.body.error.message).toMatch(message);
    }
    // Nothing refused was made: the group has only its own key, and no group named x exists.
    expect(
      (await t.admin.get(`/admin/groups/${group.id}/keys`)).body.map((k: { id: string }) => k.id),
    ).toEqual([group.keyId]);
    expect(
      (await t.admin.get('/admin/groups')).body.map((g: { name: string }) => g.name),
    ).not.toContain('x');
  });
});

describe('listening on IPv6', () => {
  it('serves the SSE and admin APIs on ::1', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'pa-emulator-v6-'));
    const v6 = await startTestEmulator({ dataDir, host: '::1', adminHost: '::1' });
    try {
      expect(v6.emu.sseUrl).toMatch(/^https:\/\/\[::1\]:\d+$/);
      expect(v6.emu.adminUrl).toMatch(/^http:\/\/\[::1\]:\d+$/);
      expect((await v6.admin.get('/admin/healthz')).status).toBe(200);
      const res = await v6.sse({ method: 'POST', path: '/v1/auth/token' });
      expect(res.json().error.code).toBe('client_certificate_required');
    } finally {
      await v6.cleanup();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
