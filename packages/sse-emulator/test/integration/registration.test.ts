import { certificateInfo, keyMatchesCertificate, verifyChain } from '@pa-connector/pki';
import { formatProvisioningKey, parseProvisioningKey, SseRoutes } from '@pa-connector/sse-api';
import { startTestEmulator, type TestEmulator } from '../support/harness';
import { newIdentity, type TestIdentity } from '../support/identity';

let t: TestEmulator;
let identity: TestIdentity;
beforeAll(async () => {
  t = await startTestEmulator();
  identity = newIdentity();
});
afterAll(() => t.cleanup());

const register = (body: unknown) => t.sse({ path: SseRoutes.register, body });

/** What an issued key carries. */
function fieldsOf(key: string) {
  const parsed = parseProvisioningKey(key);
  if (!parsed.ok) throw new Error(`the emulator issued a malformed key: ${parsed.reason}`);
  return parsed.key;
}

function expectError(
  res: { status: number; json: () => { error: { code: string; message: string } } },
  status: number,
  code: string,
  message?: RegExp,
) {
  expect(res.status).toBe(status);
  expect(res.json().error.code).toBe(code);
  if (message) expect(res.json().error.message).toMatch(message);
}

describe('POST /v1/connectors/register over TLS', () => {
  it('signs the CSR and returns the connector identity, CA chain and gateways', async () => {
    const { key, groupId } = await t.admin.groupWithKey();
    const res = await register({
      provisioningKey: key,
      csr: identity.csr,
      hostname: 'vm-01.corp.example',
      version: '1.0.0.3',
    });
    expect(res.status).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({ groupId, region: 'local' });
    expect(body.connectorId).toMatch(/^con_[0-9a-f]{16}$/);
    expect(body.caChain).toEqual([t.emu.caCertPem]);
    expect(body.gateways).toEqual([
      {
        id: 'local-gw1',
        name: 'local-gw1',
        host: '127.0.0.1',
        port: 1194,
        protocol: 'udp',
        serverName: 'local-gw1',
        tunnelAddress: '10.231.1.2',
        controlUrl: 'http://10.231.1.1:8900',
      },
      {
        id: 'local-gw2',
        name: 'local-gw2',
        host: '127.0.0.1',
        port: 1195,
        protocol: 'udp',
        serverName: 'local-gw2',
        tunnelAddress: '10.231.2.2',
        controlUrl: 'http://10.231.2.1:8900',
      },
    ]);
    expect(body.tunnel).toEqual({ tlsCryptKey: expect.any(String), cipher: 'AES-256-GCM' });
    expect(
      verifyChain(body.certificate, body.caChain, {
        usage: 'client',
        now: t.clock.dateClock.now(),
      }),
    ).toEqual({ ok: true });
    expect(keyMatchesCertificate(identity.privateKeyPem, body.certificate)).toBe(true);
    const info = certificateInfo(body.certificate);
    expect(info.commonName).toBe(body.connectorId);
    expect(info.notAfter.toISOString()).toBe(body.certificateExpiresAt);

    const admin = await t.admin.get(`/admin/connectors/${body.connectorId}`);
    expect(admin.body).toMatchObject({
      hostname: 'vm-01.corp.example',
      version: '1.0.0.3',
      certificate: { serial: info.serialNumber },
    });
    // Neither the key nor its secret reaches the logs; its public id does.
    expect(t.logs()).not.toContain(fieldsOf(key).secret);
    expect(t.logs()).not.toContain(key);
    expect(t.logs()).toContain(fieldsOf(key).keyId);
  });

  it('5 concurrent registrations on a 1-use key: exactly one 201', async () => {
    const { key, keyId } = await t.admin.groupWithKey();
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        register({ provisioningKey: key, csr: identity.csr, hostname: `racer-${i}` }),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 403, 403, 403, 403]);
    for (const r of results.filter((x) => x.status === 403)) {
      expect(r.json().error.code).toBe('provisioning_key_exhausted');
    }
    const group = (await t.admin.get(`/admin/keys/${keyId}`)).body;
    expect(group.uses).toBe(1);
    expect(group.status).toBe('exhausted');
  });

  it('refuses each kind of bad key with its own code', async () => {
    const { key, keyId, groupId } = await t.admin.groupWithKey();
    const csr = identity.csr;
    expectError(
      await register({ provisioningKey: 'pak1.nope', csr, hostname: 'h' }),
      400,
      'provisioning_key_malformed',
      /^provisioningKey is malformed: it is not base64url: .* at position 5$/,
    );
    const noSecret = Buffer.from(JSON.stringify({ ...fieldsOf(key), secret: undefined }));
    expectError(
      await register({ provisioningKey: noSecret.toString('base64url'), csr, hostname: 'h' }),
      400,
      'provisioning_key_malformed',
      /^provisioningKey is malformed: field "secret" is missing$/,
    );
    expectError(
      await register({
        provisioningKey: formatProvisioningKey({ ...fieldsOf(key), keyId: '0'.repeat(16) }),
        csr,
        hostname: 'h',
      }),
      401,
      'provisioning_key_invalid',
    );

    const expiring = (await t.admin.post(`/admin/groups/${groupId}/keys`, { expiresInSeconds: 60 }))
      .body;
    await t.clock.advance(61_000);
    expectError(
      await register({ provisioningKey: expiring.key, csr, hostname: 'h' }),
      403,
      'provisioning_key_expired',
    );

    expect((await t.admin.post(`/admin/keys/${keyId}/revoke`)).status).toBe(200);
    expectError(
      await register({ provisioningKey: key, csr, hostname: 'h' }),
      403,
      'provisioning_key_revoked',
    );
  });

  it("a group's own key enrolls exactly maxConnectors connectors", async () => {
    const created = await t.admin.post('/admin/groups', { name: 'ZTNAalpha', maxConnectors: 3 });
    expect(created.status).toBe(201);
    const { id: groupId, key, keyId, maxConnectors, customerId } = created.body;
    expect(maxConnectors).toBe(3);
    expect(fieldsOf(key)).toEqual({
      connectorName: 'ZTNAalpha',
      customerId,
      keyId,
      secret: expect.any(String),
      groupId,
    });
    for (let i = 0; i < 3; i += 1) {
      const res = await register({
        provisioningKey: key,
        csr: newIdentity().csr,
        hostname: `m-${i}`,
      });
      expect(res.status).toBe(201);
      expect(res.json().groupId).toBe(groupId);
    }
    expectError(
      await register({ provisioningKey: key, csr: newIdentity().csr, hostname: 'm-3' }),
      403,
      'provisioning_key_exhausted',
    );
    expect((await t.admin.get(`/admin/keys/${keyId}`)).body).toMatchObject({
      uses: 3,
      maxUses: 3,
      status: 'exhausted',
    });
    // The whole key is in the creation's answer only.
    expect(JSON.stringify((await t.admin.get(`/admin/groups/${groupId}`)).body)).not.toContain(
      fieldsOf(key).secret,
    );
  });

  it('a rotated group key: the old one is refused, the new one has the uses left', async () => {
    const created = (await t.admin.post('/admin/groups', { name: 'rotating', maxConnectors: 2 }))
      .body;
    expect(
      (await register({ provisioningKey: created.key, csr: newIdentity().csr, hostname: 'r-1' }))
        .status,
    ).toBe(201);
    const rotated = await t.admin.post(`/admin/groups/${created.id}/keys/rotate`);
    expect(rotated.status).toBe(201);
    expect(rotated.body).toMatchObject({
      groupId: created.id,
      revokedKeyId: created.keyId,
      maxUses: 2,
      uses: 1,
      status: 'active',
    });
    expect(fieldsOf(rotated.body.key).keyId).toBe(rotated.body.id);
    expect((await t.admin.get(`/admin/groups/${created.id}`)).body.keyId).toBe(rotated.body.id);
    expect((await t.admin.get(`/admin/keys/${created.keyId}`)).body.status).toBe('revoked');
    expectError(
      await register({ provisioningKey: created.key, csr: newIdentity().csr, hostname: 'r-2' }),
      403,
      'provisioning_key_revoked',
    );
    const second = await register({
      provisioningKey: rotated.body.key,
      csr: newIdentity().csr,
      hostname: 'r-2',
    });
    expect(second.status).toBe(201);
    expectError(
      await register({
        provisioningKey: rotated.body.key,
        csr: newIdentity().csr,
        hostname: 'r-3',
      }),
      403,
      'provisioning_key_exhausted',
    );
    expect(t.logs()).not.toContain(fieldsOf(rotated.body.key).secret);
    expect((await t.admin.post('/admin/groups/grp_nope/keys/rotate')).status).toBe(404);
  });

  it('refuses bad CSRs with the reason, without using the key', async () => {
    const { key, keyId } = await t.admin.groupWithKey();
    const lines = identity.csr.split('\n');
    lines[3] = `${(lines[3] ?? '').slice(0, 8)}%%%%${(lines[3] ?? '').slice(12)}`;
    const der = Buffer.from(
      identity.csr.replace(/-----[^-]+-----/g, '').replace(/\s/g, ''),
      'base64',
    );
    der[der.length - 1] = (der[der.length - 1] ?? 0) ^ 0xff;
    const badSignature = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
    for (const [csr, reason] of [
      ['', /empty/],
      ['MIIBIjANBgkqh', /not PEM/],
      [lines.join('\n'), /base64/],
      [badSignature, /signature does not verify/],
    ] as const) {
      expectError(
        await register({ provisioningKey: key, csr, hostname: 'h' }),
        400,
        'invalid_csr',
        reason,
      );
    }
    expect((await t.admin.get(`/admin/keys/${keyId}`)).body.uses).toBe(0);
  });

  it('refuses bad bodies, hostnames and regions', async () => {
    const { key } = await t.admin.groupWithKey();
    const csr = identity.csr;
    expectError(await register(['not', 'an', 'object']), 400, 'invalid_request', /JSON object/);
    expectError(await register({ csr, hostname: 'h' }), 400, 'invalid_request', /provisioningKey/);
    expectError(
      await register({ provisioningKey: key, csr, hostname: 42 }),
      400,
      'invalid_request',
      /hostname/,
    );
    expectError(
      await register({ provisioningKey: key, csr, hostname: 'x'.repeat(64) }),
      400,
      'invalid_request',
      /64/,
    );
    expectError(
      await register({ provisioningKey: key, csr, hostname: 'bad_name' }),
      400,
      'invalid_request',
      /RFC 1123/,
    );
    expectError(
      await register({ provisioningKey: key, csr, hostname: 'h', region: 'mars' }),
      400,
      'unknown_region',
      /mars/,
    );
    const raw = await t.sse({
      path: SseRoutes.register,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: undefined,
    });
    expectError(raw, 400, 'invalid_request');
  });

  it('answers bad JSON with invalid_request', async () => {
    const res = await t.sse({ path: SseRoutes.register, rawBody: '{"provisioningKey": ' });
    expect(res.status).toBe(400);
    expect(res.json().error).toEqual({
      code: 'invalid_request',
      message: expect.stringMatching(/not valid JSON/),
    });
  });
});
