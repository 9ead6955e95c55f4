import { formatProvisioningKey, parseProvisioningKey } from '@pa-connector/sse-api';
import { EmulatorError } from '../../src';
import { newIdentity } from '../support/identity';
import { fixtureIdentity, foreignCert, newState, registerOne } from './state-fixture';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(EmulatorError);
    return (err as EmulatorError).code;
  }
  throw new Error('expected an EmulatorError');
}

describe('provisioning keys', () => {
  it('a 1-use key registers once, then is exhausted', () => {
    const { state } = newState();
    const { group } = state.createGroup({ name: 'g' });
    const { key, record } = state.createKey(group.id, {});
    expect(record.maxUses).toBe(1);
    const parsed = parseProvisioningKey(key);
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(parsed.key).toEqual({
      connectorName: 'g',
      customerId: state.customerId(),
      keyId: record.id,
      secret: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      groupId: group.id,
    });
    expect(JSON.stringify(state.snapshot())).not.toContain(parsed.key.secret);

    const { response, connector } = registerOne(state, key);
    expect(response.connectorId).toBe(connector.id);
    expect(response.connectorId).toMatch(/^con_[0-9a-f]{16}$/);
    expect(response.groupId).toBe(group.id);
    expect(response.region).toBe('local');
    expect(response.gateways).toHaveLength(2);
    expect(state.key(record.id).uses).toBe(1);
    // Another registration (another host): refused.
    expect(codeOf(() => registerOne(state, key, 'host-2'))).toBe('provisioning_key_exhausted');
    expect(state.key(record.id).uses).toBe(1);
  });

  it('the same registration sent again gets the same answer and uses no key use', () => {
    const { state } = newState();
    const { key, record } = state.createKey(state.createGroup({ name: 'g' }).group.id, {});
    const first = registerOne(state, key).response;
    const again = registerOne(state, key).response;
    expect(again).toEqual(first);
    expect(state.key(record.id).uses).toBe(1);
    expect(state.listConnectors()).toHaveLength(1);
    // Another key pair on the exhausted key is a new registration: refused.
    const other = newIdentity();
    expect(
      codeOf(() => state.register({ provisioningKey: key, csr: other.csr, hostname: 'host-1' })),
    ).toBe('provisioning_key_exhausted');
    // Still answered once the key is revoked: the registration was made while it was good.
    state.revokeKey(record.id);
    expect(registerOne(state, key).response).toEqual(first);
  });

  it('a registration is not answered again once its certificate was renewed and used', () => {
    const { state } = newState();
    const { key } = state.createKey(state.createGroup({ name: 'g' }).group.id, {});
    const { connector } = registerOne(state, key);
    const renewed = state.renew(connector, newIdentity().csr);
    state.authenticate(renewed.certificate);
    expect(codeOf(() => registerOne(state, key))).toBe('provisioning_key_exhausted');
  });

  it('counts uses up to maxUses', () => {
    const { state } = newState();
    const { key } = state.createKey(state.createGroup({ name: 'g' }).group.id, { maxUses: 3 });
    for (let i = 0; i < 3; i += 1) registerOne(state, key, `host-${i}`);
    expect(codeOf(() => registerOne(state, key, 'host-3'))).toBe('provisioning_key_exhausted');
    expect(state.listConnectors()).toHaveLength(3);
  });

  it('expires at expiresAt by the injected clock', async () => {
    const { state, clock } = newState();
    const { group } = state.createGroup({ name: 'g' });
    const { key } = state.createKey(group.id, {
      maxUses: 5,
      expiresAt: new Date(clock.now() + 60_000),
    });
    registerOne(state, key);
    await clock.advance(60_000);
    expect(codeOf(() => registerOne(state, key, 'host-2'))).toBe('provisioning_key_expired');
  });

  it('refuses a revoked key', () => {
    const { state } = newState();
    const { key, record } = state.createKey(state.createGroup({ name: 'g' }).group.id, {});
    state.revokeKey(record.id);
    expect(codeOf(() => registerOne(state, key))).toBe('provisioning_key_revoked');
  });

  it('tells malformed keys from unknown ones, wrong secrets and edited fields', () => {
    const { state } = newState();
    const { key } = state.createKey(state.createGroup({ name: 'g' }).group.id, {});
    const parsed = parseProvisioningKey(key);
    if (!parsed.ok) throw new Error(parsed.reason);
    const issued = parsed.key;
    expect(codeOf(() => registerOne(state, 'not-a-key'))).toBe('provisioning_key_malformed');
    expect(() => registerOne(state, 'bm90IGpzb24')).toThrow(
      'provisioningKey is malformed: it does not decode to JSON',
    );
    const edited = (change: object) => formatProvisioningKey({ ...issued, ...change });
    expect(codeOf(() => registerOne(state, edited({ keyId: '0'.repeat(16) })))).toBe(
      'provisioning_key_invalid',
    );
    expect(codeOf(() => registerOne(state, edited({ secret: 'B'.repeat(43) })))).toBe(
      'provisioning_key_invalid',
    );
    expect(codeOf(() => registerOne(state, edited({ connectorName: 'other' })))).toBe(
      'provisioning_key_invalid',
    );
    expect(codeOf(() => registerOne(state, edited({ customerId: 'cus_other' })))).toBe(
      'provisioning_key_invalid',
    );
    expect(codeOf(() => registerOne(state, edited({ groupId: 'grp_other' })))).toBe(
      'provisioning_key_invalid',
    );
    // The group id is optional in a key; the rest is enough to name it.
    expect(registerOne(state, edited({ groupId: undefined })).response.groupId).toBe(
      issued.groupId,
    );
  });

  it('does not consume a use when the CSR, hostname or region is bad', () => {
    const { state } = newState();
    const { key, record } = state.createKey(state.createGroup({ name: 'g' }).group.id, {});
    expect(codeOf(() => state.register({ provisioningKey: key, csr: '', hostname: 'h' }))).toBe(
      'invalid_csr',
    );
    expect(codeOf(() => registerOne(state, key, 'bad_host!'))).toBe('invalid_request');
    expect(codeOf(() => registerOne(state, key, 'a'.repeat(64)))).toBe('invalid_request');
    expect(
      codeOf(() =>
        state.register({
          provisioningKey: key,
          csr: fixtureIdentity().csr,
          hostname: 'h',
          region: 'mars',
        }),
      ),
    ).toBe('unknown_region');
    expect(state.key(record.id).uses).toBe(0);
    registerOne(state, key);
    expect(state.key(record.id).uses).toBe(1);
  });

  it("creating a group makes its key, usable exactly the group's maxConnectors times", () => {
    const { state } = newState();
    const { group, key } = state.createGroup({ name: 'ZTNAalpha', maxConnectors: 3 });
    expect(group).toMatchObject({ maxConnectors: 3, keyId: key.record.id });
    expect(key.record).toMatchObject({ maxUses: 3, uses: 0, groupId: group.id });
    const parsed = parseProvisioningKey(key.key);
    expect(parsed.ok && parsed.key.connectorName).toBe('ZTNAalpha');
    for (let i = 0; i < 3; i += 1) registerOne(state, key.key, `host-${i}`);
    expect(codeOf(() => registerOne(state, key.key, 'host-3'))).toBe('provisioning_key_exhausted');
    expect(state.listConnectors().map((c) => c.groupId)).toEqual([group.id, group.id, group.id]);
    // Without maxConnectors: one connector.
    const one = state.createGroup({ name: 'single' });
    expect([one.group.maxConnectors, one.key.record.maxUses]).toEqual([1, 1]);
  });

  it("a group belongs to the emulator's tenant unless it names another", () => {
    const { state } = newState();
    expect(state.customerId()).toMatch(/^cus_[0-9a-f]{16}$/);
    const mine = state.createGroup({ name: 'a' });
    const theirs = state.createGroup({ name: 'b', customerId: 'tenant-2' });
    expect(mine.group.customerId).toBe(state.customerId());
    expect(theirs.group.customerId).toBe('tenant-2');
    const parsed = parseProvisioningKey(theirs.key.key);
    expect(parsed.ok && parsed.key.customerId).toBe('tenant-2');
  });

  it('refuses a group whose name or tenant no key could carry, or a bad maxConnectors', () => {
    const { state } = newState();
    expect(() => state.createGroup({ name: 'tab\there' })).toThrow(
      'name must be 1 to 100 characters, not blank, no control characters',
    );
    expect(() => state.createGroup({ name: 'g', customerId: 'a b' })).toThrow(
      'customerId must be an id of 1 to 64 characters',
    );
    expect(() => state.createGroup({ name: 'g', maxConnectors: 0 })).toThrow(
      'maxConnectors must be an integer >= 1, got 0',
    );
    expect(state.listGroups()).toEqual([]);
  });

  it("rotating revokes the group's key; the new one has the uses the old one had left", () => {
    const { state } = newState();
    const { group, key: first } = state.createGroup({ name: 'g', maxConnectors: 3 });
    const extra = state.createKey(group.id, { maxUses: 5 });
    registerOne(state, first.key, 'host-1');

    const { created, revoked } = state.rotateKey(group.id);
    expect(revoked?.id).toBe(first.record.id);
    expect(state.key(first.record.id).revoked).toBe(true);
    expect(created.record).toMatchObject({ maxUses: 3, uses: 1, revoked: false });
    expect(state.group(group.id).keyId).toBe(created.record.id);
    expect(created.key).not.toBe(first.key);
    // The other keys of the group are not the group's own: left as they are.
    expect(state.key(extra.record.id).revoked).toBe(false);

    expect(codeOf(() => registerOne(state, first.key, 'host-2'))).toBe('provisioning_key_revoked');
    registerOne(state, created.key, 'host-2');
    registerOne(state, created.key, 'host-3');
    expect(codeOf(() => registerOne(state, created.key, 'host-4'))).toBe(
      'provisioning_key_exhausted',
    );
    // A used-up key rotates into a used-up key: a rotation never enrolls more connectors.
    const again = state.rotateKey(group.id);
    expect(again.created.record).toMatchObject({ maxUses: 3, uses: 3 });
    expect(codeOf(() => registerOne(state, again.created.key, 'host-4'))).toBe(
      'provisioning_key_exhausted',
    );
  });

  it('rotating a group of an older state file, which has no key of its own, makes a fresh one', () => {
    const { state } = newState();
    const { group } = state.createGroup({ name: 'g', maxConnectors: 2 });
    state.group(group.id).keyId = null;
    const { created, revoked } = state.rotateKey(group.id);
    expect(revoked).toBeNull();
    expect(created.record).toMatchObject({ maxUses: 2, uses: 0 });
  });

  it('refuses a group with an unknown region', () => {
    const { state } = newState();
    expect(codeOf(() => state.createGroup({ name: 'g', region: 'mars' }))).toBe('invalid_request');
  });
});

describe('client certificates', () => {
  function registered(o?: { certLifetimeSeconds?: number }) {
    const ctx = newState(o);
    const { key } = ctx.state.createKey(ctx.state.createGroup({ name: 'g' }).group.id, {});
    return { ...ctx, ...registerOne(ctx.state, key) };
  }

  it('accepts the issued certificate', () => {
    const { state, response } = registered();
    const { connector, promoted } = state.authenticate(response.certificate);
    expect(connector.id).toBe(response.connectorId);
    expect(promoted).toBe(false);
  });

  it('requires a certificate from the CA that is still valid', async () => {
    const { state, clock, response } = registered({ certLifetimeSeconds: 120 });
    expect(codeOf(() => state.authenticate(undefined))).toBe('client_certificate_required');
    expect(codeOf(() => state.authenticate(foreignCert(response.connectorId)))).toBe(
      'client_certificate_required',
    );
    await clock.advance(121_000);
    expect(codeOf(() => state.authenticate(response.certificate))).toBe(
      'client_certificate_required',
    );
  });

  it('refuses the certificate of a removed connector', () => {
    const { state, response } = registered();
    state.removeConnector(response.connectorId);
    expect(codeOf(() => state.authenticate(response.certificate))).toBe('certificate_revoked');
  });

  it('renewal: both certificates work until the new one is used, then the old is revoked', () => {
    const { state, response } = registered();
    const connector = state.connector(response.connectorId);
    const renewed = state.renew(connector, fixtureIdentity().csr);
    expect(connector.pendingCertSerial).not.toBeNull();
    expect(state.authenticate(response.certificate).promoted).toBe(false);
    expect(state.authenticate(renewed.certificate).promoted).toBe(true);
    expect(connector.pendingCertSerial).toBeNull();
    expect(connector.revokedSerials).toHaveLength(1);
    expect(codeOf(() => state.authenticate(response.certificate))).toBe('certificate_revoked');
    expect(state.authenticate(renewed.certificate).promoted).toBe(false);
  });

  it('the same renewal again (same key) gets the same certificate', () => {
    const { state } = newState();
    const { key } = state.createKey(state.createGroup({ name: 'g' }).group.id, {});
    const { connector } = registerOne(state, key);
    const csr = newIdentity().csr;
    const first = state.renew(connector, csr);
    expect(state.renew(connector, csr)).toEqual(first);
    expect(connector.revokedSerials).toEqual([]);
    state.authenticate(first.certificate);
    expect(connector.pendingCertSerial).toBeNull();
  });

  it('a second renewal (another key) before the first is used revokes the unused one', () => {
    const { state, response } = registered();
    const connector = state.connector(response.connectorId);
    const first = state.renew(connector, fixtureIdentity().csr);
    const second = state.renew(connector, newIdentity().csr);
    expect(codeOf(() => state.authenticate(first.certificate))).toBe('certificate_revoked');
    expect(state.authenticate(second.certificate).promoted).toBe(true);
  });

  it('renewal needs a valid CSR', () => {
    const { state, response } = registered();
    const connector = state.connector(response.connectorId);
    expect(codeOf(() => state.renew(connector, 'junk'))).toBe('invalid_csr');
    expect(connector.pendingCertSerial).toBeNull();
  });
});

describe('access tokens', () => {
  function withConnectors() {
    const ctx = newState({ tokenLifetimeSeconds: 60 });
    const { key } = ctx.state.createKey(ctx.state.createGroup({ name: 'g' }).group.id, {
      maxUses: 2,
    });
    const a = ctx.state.connector(registerOne(ctx.state, key, 'a').response.connectorId);
    const b = ctx.state.connector(registerOne(ctx.state, key, 'b').response.connectorId);
    return { ...ctx, a, b };
  }

  it('one active token per connector: issuing again revokes the previous one', () => {
    const { state, a } = withConnectors();
    const first = state.issueToken(a);
    expect(first.tokenType).toBe('Bearer');
    expect(first.expiresIn).toBe(60);
    state.checkToken(a, first.accessToken);
    const second = state.issueToken(a);
    expect(codeOf(() => state.checkToken(a, first.accessToken))).toBe('token_invalid');
    state.checkToken(a, second.accessToken);
  });

  it('refresh needs the current token and invalidates it', () => {
    const { state, a } = withConnectors();
    const first = state.issueToken(a);
    expect(codeOf(() => state.refreshToken(a, 'made-up'))).toBe('token_invalid');
    expect(codeOf(() => state.refreshToken(a, undefined))).toBe('token_invalid');
    const refreshed = state.refreshToken(a, first.accessToken);
    expect(codeOf(() => state.checkToken(a, first.accessToken))).toBe('token_invalid');
    state.checkToken(a, refreshed.accessToken);
  });

  it('expires by the injected clock', async () => {
    const { state, clock, a } = withConnectors();
    const token = state.issueToken(a);
    await clock.advance(59_000);
    state.checkToken(a, token.accessToken);
    await clock.advance(1_000);
    expect(codeOf(() => state.checkToken(a, token.accessToken))).toBe('token_expired');
    expect(codeOf(() => state.refreshToken(a, token.accessToken))).toBe('token_expired');
  });

  it("a connector's token does not work for another connector", () => {
    const { state, a, b } = withConnectors();
    const tokenA = state.issueToken(a);
    state.issueToken(b);
    expect(codeOf(() => state.checkToken(b, tokenA.accessToken))).toBe('token_invalid');
  });

  it('keeps only a hash of the token', () => {
    const { state, a } = withConnectors();
    const token = state.issueToken(a);
    expect(JSON.stringify(state.snapshot())).not.toContain(token.accessToken);
  });
});

describe('catalog and ingest', () => {
  it('bumps the catalog version on every change and stores apps raw', () => {
    const { state } = newState();
    const { group } = state.createGroup({ name: 'g' });
    const { key } = state.createKey(group.id, {});
    const connector = state.connector(registerOne(state, key).response.connectorId);
    expect(state.catalog(connector)).toEqual({ etag: '"1"', body: { version: '1', apps: [] } });
    state.setApps(group.id, [{ id: 'wiki' }, 'not even an object']);
    state.addApp(group.id, { id: 'git' });
    expect(state.catalog(connector)).toEqual({
      etag: '"3"',
      body: { version: '3', apps: [{ id: 'wiki' }, 'not even an object', { id: 'git' }] },
    });
  });

  it('keeps the latest health update and a bounded history', () => {
    const { state } = newState();
    const { key } = state.createKey(state.createGroup({ name: 'g' }).group.id, {});
    const connector = state.connector(registerOne(state, key).response.connectorId);
    for (let i = 0; i < 25; i += 1) {
      state.recordHealth(connector, { connectorId: connector.id, sentAt: `t${i}`, apps: [] });
    }
    expect(connector.health?.body.sentAt).toBe('t24');
    expect(connector.healthHistory).toHaveLength(20);
    state.recordLogs(connector, { entries: Array.from({ length: 250 }, (_, i) => ({ i })) });
    expect(connector.logBatches).toBe(1);
    expect(connector.logEntries).toBe(250);
    expect(connector.recentLogs).toHaveLength(200);
    expect(connector.recentLogs[199]).toEqual({ i: 249 });
  });
});
