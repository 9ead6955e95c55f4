import { createCertificateAuthority, parseCsr, signCertificate } from '@pa-connector/pki';
import { SseRoutes } from '@pa-connector/sse-api';
import { type Enrolled, enroll, startTestEmulator, type TestEmulator } from '../support/harness';
import { newIdentity } from '../support/identity';

let t: TestEmulator;
beforeAll(async () => {
  t = await startTestEmulator({ tokenLifetimeSeconds: 60, certLifetimeSeconds: 3600 });
});
afterAll(() => t.cleanup());

const codeOf = (res: { json: () => { error: { code: string } } }) => res.json().error.code;
const catalog = (c: Enrolled, token = c.token, cert = c.tls) =>
  t.sse({ path: SseRoutes.catalog, cert, token });

describe('mTLS and access tokens', () => {
  it('needs a client certificate from the SSE CA', async () => {
    const c = await enroll(t);
    const noCert = await t.sse({ method: 'POST', path: SseRoutes.token });
    expect(noCert.status).toBe(401);
    expect(codeOf(noCert)).toBe('client_certificate_required');

    const foreignCa = createCertificateAuthority({ commonName: 'Not the SSE' });
    const foreign = signCertificate({
      ca: foreignCa,
      publicKeyPem: parseCsr(c.identity.csr).publicKeyPem,
      commonName: c.connectorId,
      lifetimeSeconds: 3600,
      usage: 'client',
    });
    const res = await t.sse({
      method: 'POST',
      path: SseRoutes.token,
      cert: { certPem: foreign.certPem, keyPem: c.identity.privateKeyPem },
    });
    expect(res.status).toBe(401);
    expect(codeOf(res)).toBe('client_certificate_required');
    expect(res.json().error.message).toMatch(/not signed by/);
  });

  it('a token works with its own certificate only, and a new token revokes the old', async () => {
    const a = await enroll(t);
    const b = await enroll(t);
    expect((await catalog(a)).status).toBe(200);
    expect(codeOf(await catalog(a, ''))).toBe('token_invalid'); // no Authorization header
    expect(codeOf(await catalog(a, b.token))).toBe('token_invalid');

    const again = await t.sse({ method: 'POST', path: SseRoutes.token, cert: a.tls });
    expect(again.json()).toMatchObject({ tokenType: 'Bearer', expiresIn: 60 });
    expect(codeOf(await catalog(a))).toBe('token_invalid');
    expect((await catalog(a, again.json().accessToken)).status).toBe(200);
  });

  it('refresh needs mTLS and the current token; the old token stops working', async () => {
    const c = await enroll(t);
    const noCert = await t.sse({ method: 'POST', path: SseRoutes.refresh, token: c.token });
    expect(codeOf(noCert)).toBe('client_certificate_required');
    const wrong = await t.sse({ method: 'POST', path: SseRoutes.refresh, cert: c.tls, token: 'x' });
    expect(codeOf(wrong)).toBe('token_invalid');

    const res = await t.sse({
      method: 'POST',
      path: SseRoutes.refresh,
      cert: c.tls,
      token: c.token,
    });
    expect(res.status).toBe(200);
    const fresh = res.json().accessToken as string;
    expect(fresh).not.toBe(c.token);
    expect(codeOf(await catalog(c))).toBe('token_invalid');
    expect((await catalog(c, fresh)).status).toBe(200);
    expect(t.logs()).not.toContain(fresh);
    expect(t.logs()).not.toContain(c.token);
  });

  it('enforces token expiry', async () => {
    const c = await enroll(t);
    await t.clock.advance(61_000);
    const expired = await catalog(c);
    expect(expired.status).toBe(401);
    expect(codeOf(expired)).toBe('token_expired');
    const refresh = await t.sse({
      method: 'POST',
      path: SseRoutes.refresh,
      cert: c.tls,
      token: c.token,
    });
    expect(codeOf(refresh)).toBe('token_expired');
    // A new token through mTLS is the way back.
    const token = await t.sse({ method: 'POST', path: SseRoutes.token, cert: c.tls });
    expect((await catalog(c, token.json().accessToken)).status).toBe(200);
  });

  it('enforces certificate expiry', async () => {
    const c = await enroll(t);
    await t.clock.advance(3_601_000);
    const res = await t.sse({ method: 'POST', path: SseRoutes.token, cert: c.tls });
    expect(codeOf(res)).toBe('client_certificate_required');
    expect(res.json().error.message).toMatch(/expired/);
  });

  it('renewal: the old certificate is refused once the new one has been used', async () => {
    const c = await enroll(t);
    const next = newIdentity();
    const renew = await t.sse({
      path: SseRoutes.renew,
      cert: c.tls,
      token: c.token,
      body: { csr: next.csr },
    });
    expect(renew.status).toBe(200);
    expect(renew.json().caChain).toEqual([t.emu.caCertPem]);
    const newTls = { certPem: renew.json().certificate as string, keyPem: next.privateKeyPem };

    const before = (await t.admin.get(`/admin/connectors/${c.connectorId}`)).body;
    expect(before.pendingCertificate).not.toBeNull();
    expect((await catalog(c)).status).toBe(200); // old still fine
    expect((await catalog(c, c.token, newTls)).status).toBe(200); // new one promoted here
    const old = await catalog(c);
    expect(old.status).toBe(401);
    expect(codeOf(old)).toBe('certificate_revoked');

    const after = (await t.admin.get(`/admin/connectors/${c.connectorId}`)).body;
    expect(after.certificate.serial).toBe(before.pendingCertificate.serial);
    expect(after.revokedSerials).toEqual([before.certificate.serial]);
  });

  it('renewal refuses a bad CSR', async () => {
    const c = await enroll(t);
    const res = await t.sse({
      path: SseRoutes.renew,
      cert: c.tls,
      token: c.token,
      body: { csr: 'nope' },
    });
    expect(res.status).toBe(400);
    expect(codeOf(res)).toBe('invalid_csr');
  });

  it('a removed connector is refused', async () => {
    const c = await enroll(t);
    expect((await t.admin.delete(`/admin/connectors/${c.connectorId}`)).status).toBe(204);
    const res = await catalog(c);
    expect(codeOf(res)).toBe('certificate_revoked');
  });
});
