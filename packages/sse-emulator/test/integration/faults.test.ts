import { SseRoutes } from '@pa-connector/sse-api';
import { type Enrolled, enroll, startTestEmulator, type TestEmulator } from '../support/harness';
import { newIdentity } from '../support/identity';

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

  it('refuses bad fault settings naming the field', async () => {
    const cases: Array<[string, unknown, RegExp]> = [
      ['/admin/faults/nope', { mode: 'down' }, /endpoint/],
      ['/admin/faults/catalog', { mode: 'boom' }, /mode/],
      ['/admin/faults/catalog', { mode: 'slow' }, /delayMs/],
      ['/admin/faults/catalog', { mode: '5xx', status: 200 }, /status/],
      ['/admin/faults/catalog', { mode: 'malformed', variant: 'x' }, /variant/],
    ];
    for (const [path, body, message] of cases) {
      const res = await t.admin.put(path, body);
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(message);
    }
  });
});
