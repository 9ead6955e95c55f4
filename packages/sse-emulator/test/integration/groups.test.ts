import { SseRoutes, UPDATE_SLOT_TAKEN } from '@pa-connector/sse-api';
import { startTestEmulator, type TestEmulator } from '../support/harness';
import { newIdentity } from '../support/identity';
import { WIKI } from '../support/sample-app';

interface Member {
  connectorId: string;
  tls: { certPem: string; keyPem: string };
  token: string;
}

let t: TestEmulator;
let groupId: string;
let members: Member[];

/** Two connectors enrolled with one group's key (a key for two uses). */
async function enrollTwo(): Promise<{ groupId: string; members: Member[] }> {
  const group = await t.admin.post('/admin/groups', { name: 'branch', maxConnectors: 2 });
  if (group.status !== 201) throw new Error(JSON.stringify(group.body));
  const out: Member[] = [];
  for (const hostname of ['vm-1', 'vm-2']) {
    const identity = newIdentity();
    const reg = await t.sse({
      path: SseRoutes.register,
      body: { provisioningKey: group.body.key, csr: identity.csr, hostname },
    });
    if (reg.status !== 201) throw new Error(reg.text);
    const tls = { certPem: reg.json().certificate, keyPem: identity.privateKeyPem };
    const tok = await t.sse({ method: 'POST', path: SseRoutes.token, cert: tls });
    out.push({ connectorId: reg.json().connectorId, tls, token: tok.json().accessToken });
  }
  return { groupId: group.body.id, members: out };
}

const as = (m: Member, path: string, body?: unknown) =>
  t.sse({ path, cert: m.tls, token: m.token, ...(body === undefined ? {} : { body }) });

beforeAll(async () => {
  t = await startTestEmulator();
  ({ groupId, members } = await enrollTwo());
}, 60_000);
afterAll(() => t.cleanup());

const wiki = WIKI;

describe('apps associated with groups (admin API)', () => {
  it("creates, lists, moves and deletes an app; each group's catalog follows", async () => {
    const [a] = members as [Member];
    const other = (await t.admin.post('/admin/groups', { name: 'other' })).body.id as string;
    await t.admin.put(`/admin/groups/${groupId}/apps`, [{ id: 'raw', port: 'bad' }]);
    const before = await as(a, SseRoutes.catalog);
    const created = await t.admin.post('/admin/apps', { ...wiki, groups: [groupId, other] });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ groups: [groupId, other], app: { ...wiki } });
    const id = created.body.id as string;
    expect(id).toMatch(/^app_[0-9a-f]+$/);
    expect(created.body.app.id).toBe(id);

    const after = await as(a, SseRoutes.catalog);
    expect(after.headers.etag).not.toBe(before.headers.etag);
    expect(after.json().apps).toEqual([
      { id: 'raw', port: 'bad' },
      { ...wiki, id },
    ]);
    expect((await t.admin.get(`/admin/groups/${other}`)).body).toMatchObject({ appCount: 1 });
    expect((await t.admin.get('/admin/apps')).body.map((x: { id: string }) => x.id)).toEqual([id]);
    expect((await t.admin.get(`/admin/apps/${id}`)).body.groups).toEqual([groupId, other]);

    const moved = await t.admin.put(`/admin/apps/${id}/groups`, { groups: [other] });
    expect(moved.status).toBe(200);
    expect((await as(a, SseRoutes.catalog)).json().apps).toEqual([{ id: 'raw', port: 'bad' }]);

    expect((await t.admin.delete(`/admin/apps/${id}`)).status).toBe(204);
    expect((await t.admin.get(`/admin/apps/${id}`)).status).toBe(404);
    expect((await t.admin.get(`/admin/groups/${other}`)).body).toMatchObject({ appCount: 0 });
  });

  it('refuses a taken id (409), an unknown group (404, nothing changed), a bad field (400)', async () => {
    expect((await t.admin.post('/admin/apps', { ...wiki, id: 'wiki' })).status).toBe(201);
    const dup = await t.admin.post('/admin/apps', { ...wiki, id: 'wiki' });
    expect(dup.status).toBe(409);
    expect(dup.body.error.message).toBe('an app with id wiki already exists');
    const version = (await t.admin.get(`/admin/groups/${groupId}`)).body.catalogVersion;
    const unknown = await t.admin.put('/admin/apps/wiki/groups', { groups: [groupId, 'grp_x'] });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toBe('no group grp_x');
    expect((await t.admin.get('/admin/apps/wiki')).body.groups).toEqual([]);
    expect((await t.admin.get(`/admin/groups/${groupId}`)).body.catalogVersion).toBe(version);
    const bad = await t.admin.post('/admin/apps', { ...wiki, port: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('port');
    expect((await t.admin.delete('/admin/apps/wiki')).status).toBe(204);
  });
});

describe('the group endpoints for connectors', () => {
  it('shows the group with every enrolled connector (silent without gateways)', async () => {
    const [a, b] = members as [Member, Member];
    const res = await as(a, SseRoutes.group);
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({
      groupId,
      name: 'branch',
      connectors: [a, b]
        .map((m, i) => ({
          id: m.connectorId,
          hostname: `vm-${i + 1}`,
          state: 'silent',
          freshTunnels: 0,
        }))
        .sort((x, y) => (x.id < y.id ? -1 : 1)),
      updateSlot: null,
    });
    expect((await t.sse({ path: SseRoutes.group, cert: a.tls })).status).toBe(401);
  });

  it('grants one update slot per group, renews it for the holder, 409 for the other', async () => {
    const [a, b] = members as [Member, Member];
    const grant = await as(a, SseRoutes.updateSlot, { ttlSeconds: 60 });
    expect(grant.status).toBe(200);
    expect(grant.json()).toMatchObject({ connectorId: a.connectorId });
    await t.clock.advance(10_000);
    const renewed = await as(a, SseRoutes.updateSlot, { ttlSeconds: 60 });
    expect(renewed.json().leaseId).toBe(grant.json().leaseId);
    expect(Date.parse(renewed.json().expiresAt) - t.clock.now()).toBe(60_000);

    const taken = await as(b, SseRoutes.updateSlot, { ttlSeconds: 60 });
    expect(taken.status).toBe(409);
    expect(taken.json().error).toEqual({
      code: UPDATE_SLOT_TAKEN,
      message: `the group's update slot is held by ${a.connectorId} until ${renewed.json().expiresAt}`,
    });
    expect((await as(b, SseRoutes.group)).json().updateSlot).toEqual(renewed.json());

    const bad = await as(a, SseRoutes.updateSlot, { ttlSeconds: 5 });
    expect(bad.status).toBe(400);
    expect(bad.json().error.message).toContain('ttlSeconds');
    const noLease = await as(a, SseRoutes.updateSlotRelease, {});
    expect(noLease.status).toBe(400);
    expect(noLease.json().error.message).toContain('leaseId');

    const wrong = await as(b, SseRoutes.updateSlotRelease, { leaseId: grant.json().leaseId });
    expect(wrong.json()).toEqual({ released: false });
    const released = await as(a, SseRoutes.updateSlotRelease, { leaseId: grant.json().leaseId });
    expect(released.json()).toEqual({ released: true });
    expect((await as(b, SseRoutes.updateSlot, { ttlSeconds: 30 })).status).toBe(200);
  });

  it('applies faults to the group endpoints like to every SSE endpoint', async () => {
    const [a] = members as [Member];
    expect(
      (await t.admin.put('/admin/faults/group', { mode: '5xx', status: 503, count: 1 })).status,
    ).toBe(200);
    expect((await as(a, SseRoutes.group)).status).toBe(503);
    expect((await as(a, SseRoutes.group)).status).toBe(200);
  });
});

describe("the operator's view of a group", () => {
  it('shows connectors, tunnels, ingress counts and the slot; frees a stuck slot', async () => {
    const [a, b] = members as [Member, Member];
    const view = await t.admin.get(`/admin/groups/${groupId}/view`);
    expect(view.status).toBe(200);
    expect(view.body.group).toEqual({ id: groupId, name: 'branch', maxConnectors: 2 });
    expect(view.body.connectors.map((c: { id: string }) => c.id).sort()).toEqual(
      [a.connectorId, b.connectorId].sort(),
    );
    expect(view.body.connectors[0]).toMatchObject({
      state: 'silent',
      draining: false,
      tunnels: [],
      apps: {},
      ingress: { carried: 0, active: 0, refused: 0, failed: 0 },
    });
    expect(view.body.updateSlot).toMatchObject({ connectorId: b.connectorId });

    const freed = await t.admin.delete(`/admin/groups/${groupId}/update-slot`);
    expect(freed.status).toBe(200);
    expect(freed.body.freed).toMatchObject({ connectorId: b.connectorId });
    expect((await t.admin.delete(`/admin/groups/${groupId}/update-slot`)).body).toEqual({
      freed: null,
    });
    expect((await t.admin.get('/admin/groups/grp_nope/view')).status).toBe(404);
  });

  it('keeps apps and the update slot over a restart', async () => {
    const [a] = members as [Member];
    await t.admin.post('/admin/apps', { ...wiki, id: 'kept', groups: [groupId] });
    const grant = (await as(a, SseRoutes.updateSlot, { ttlSeconds: 600 })).json();
    await t.stop();
    const again = await startTestEmulator({ dataDir: t.dataDir, clock: t.clock });
    try {
      expect((await again.admin.get('/admin/apps/kept')).body.groups).toEqual([groupId]);
      expect((await again.admin.get(`/admin/groups/${groupId}/view`)).body.updateSlot).toEqual(
        grant,
      );
    } finally {
      await again.stop();
    }
  });
});
