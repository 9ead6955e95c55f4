import { SseRoutes } from '@pa-connector/sse-api';
import { type Enrolled, enroll, startTestEmulator, type TestEmulator } from '../support/harness';
import { newIdentity } from '../support/identity';

type Body = { certificate: string; caChain: string[]; gateways: Array<{ host: string }> };

const held: Array<{ ms: number; release: () => void }> = [];
let t: TestEmulator;
let c: Enrolled;
beforeAll(async () => {
  t = await startTestEmulator({
    sleep: (ms) => new Promise<void>((release) => held.push({ ms, release })),
  });
  c = await enroll(t);
});
afterAll(() => t.cleanup());
afterEach(async () => {
  expect((await t.admin.delete('/admin/faults')).status).toBe(204);
});

const catalog = () => t.sse({ path: SseRoutes.catalog, cert: c.tls, token: c.token });

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i += 1) await new Promise((r) => setTimeout(r, 10));
  if (!condition()) throw new Error('condition not met');
}

describe('fault injection', () => {
  it('down: the connection is dropped without a response', async () => {
    expect((await t.admin.put('/admin/faults/catalog', { mode: 'down' })).status).toBe(200);
    await expect(catalog()).rejects.toThrow(/socket hang up|ECONNRESET/);
    // Other endpoints are unaffected.
    expect((await t.sse({ path: SseRoutes.release, cert: c.tls, token: c.token })).status).toBe(
      404,
    );
  });

  it('"*" takes the whole API down, and count clears the fault after N requests', async () => {
    await t.admin.put('/admin/faults/*', { mode: 'down', count: 2 });
    expect((await t.admin.get('/admin/faults')).body).toEqual({ '*': { mode: 'down', count: 2 } });
    await expect(catalog()).rejects.toThrow();
    await expect(t.sse({ method: 'POST', path: SseRoutes.token, cert: c.tls })).rejects.toThrow();
    const token = await t.sse({ method: 'POST', path: SseRoutes.token, cert: c.tls });
    expect(token.status).toBe(200);
    c.token = token.json().accessToken;
    expect((await t.admin.get('/admin/faults')).body).toEqual({});
  });

  it('slow: the answer waits for the delay, then is normal', async () => {
    await t.admin.put('/admin/faults/catalog', { mode: 'slow', delayMs: 1500 });
    let settled = false;
    const pending = catalog().finally(() => {
      settled = true;
    });
    await until(() => held.length === 1);
    expect(held[0]?.ms).toBe(1500);
    await new Promise((r) => setTimeout(r, 50));
    expect(settled).toBe(false);
    held.shift()?.release();
    const res = await pending;
    expect(res.status).toBe(200);
    expect(res.json().version).toBeDefined();
  });

  it('5xx: default 503 and a chosen status, with error injected_fault', async () => {
    await t.admin.put('/admin/faults/health', { mode: '5xx' });
    const res = await t.sse({
      path: SseRoutes.health,
      cert: c.tls,
      token: c.token,
      body: { sentAt: 'x', apps: [] },
    });
    expect(res.status).toBe(503);
    expect(res.json().error.code).toBe('injected_fault');
    await t.admin.put('/admin/faults/health', { mode: '5xx', status: 502 });
    const again = await t.sse({
      path: SseRoutes.health,
      cert: c.tls,
      token: c.token,
      body: { sentAt: 'x', apps: [] },
    });
    expect(again.status).toBe(502);
  });

  it('malformed not-json: a 200 whose body does not parse', async () => {
    await t.admin.put('/admin/faults/catalog', { mode: 'malformed', variant: 'not-json' });
    const res = await catalog();
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(() => res.json()).toThrow();
  });

  it('malformed missing-fields: a 201 register answer without certificate or caChain, key untouched', async () => {
    const { key, keyId } = await t.admin.groupWithKey();
    await t.admin.put('/admin/faults/register', {
      mode: 'malformed',
      variant: 'missing-fields',
      count: 1,
    });
    const body = { provisioningKey: key, csr: newIdentity().csr, hostname: 'h' };
    const res = await t.sse({ path: SseRoutes.register, body });
    expect(res.status).toBe(201);
    expect(res.json().certificate).toBeUndefined();
    expect(res.json().caChain).toBeUndefined();
    expect((await t.admin.get(`/admin/keys/${keyId}`)).body.uses).toBe(0);
    // count: 1 -> the next attempt is served normally.
    expect((await t.sse({ path: SseRoutes.register, body })).status).toBe(201);
  });

  it('lost-response: the registration is made, the connection dropped; the same CSR gets the same answer', async () => {
    const { key, keyId } = await t.admin.groupWithKey();
    await t.admin.put('/admin/faults/register', { mode: 'lost-response', count: 1 });
    const body = { provisioningKey: key, csr: newIdentity().csr, hostname: 'h' };
    await expect(t.sse({ path: SseRoutes.register, body })).rejects.toThrow(
      /socket hang up|ECONNRESET/,
    );
    expect((await t.admin.get(`/admin/keys/${keyId}`)).body.uses).toBe(1);
    const again = await t.sse({ path: SseRoutes.register, body });
    expect(again.status).toBe(201);
    expect((await t.admin.get(`/admin/keys/${keyId}`)).body.uses).toBe(1);
    const mine = (await t.admin.get('/admin/connectors')).body.filter(
      (x: { keyId: string }) => x.keyId === keyId,
    );
    expect(mine.map((x: { id: string }) => x.id)).toEqual([again.json().connectorId]);
    // A different key pair on the used-up key is refused.
    const other = { ...body, csr: newIdentity().csr };
    const refused = await t.sse({ path: SseRoutes.register, body: other });
    expect(refused.status).toBe(403);
    expect(refused.json().error.code).toBe('provisioning_key_exhausted');
  });

  it.each([
    ['certificate-directive', (b: Body) => b.certificate],
    ['ca-chain-directive', (b: Body) => b.caChain.at(-1)],
    ['gateway-host-newline', (b: Body) => b.gateways[0]?.host],
  ])(
    'malicious %s: a real registration whose field carries openvpn directives',
    async (variant, field) => {
      const { key, keyId } = await t.admin.groupWithKey();
      await t.admin.put('/admin/faults/register', {
        mode: 'malicious',
        variant,
        markerPath: '/tmp/marker',
        count: 1,
      });
      const body = { provisioningKey: key, csr: newIdentity().csr, hostname: 'h' };
      const res = await t.sse({ path: SseRoutes.register, body });
      expect(res.status).toBe(201);
      expect(field(res.json())).toMatch(
        /\nscript-security 2\nup "\/bin\/sh -c 'touch \/tmp\/marker'"(\n|$)/,
      );
      expect((await t.admin.get(`/admin/keys/${keyId}`)).body.uses).toBe(1);
    },
  );

  it('refuses bad fault settings naming the field', async () => {
    const cases: Array<[string, unknown, RegExp]> = [
      ['/admin/faults/nope', { mode: 'down' }, /endpoint/],
      ['/admin/faults/catalog', { mode: 'boom' }, /mode/],
      ['/admin/faults/catalog', { mode: 'slow' }, /delayMs/],
      ['/admin/faults/catalog', { mode: '5xx', status: 200 }, /status/],
      ['/admin/faults/catalog', { mode: 'malformed', variant: 'x' }, /variant/],
      ['/admin/faults/register', { mode: 'malicious', variant: 'x' }, /variant/],
      [
        '/admin/faults/register',
        { mode: 'malicious', variant: 'cipher-none', markerPath: 'x; rm' },
        /markerPath/,
      ],
    ];
    for (const [path, body, message] of cases) {
      const res = await t.admin.put(path, body);
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(message);
    }
  });
});
