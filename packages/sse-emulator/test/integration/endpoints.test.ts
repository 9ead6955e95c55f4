import { connect } from 'node:tls';
import { SseRoutes } from '@pa-connector/sse-api';
import { parseRegionSpec } from '../../src';
import { startTestEmulator, type TestEmulator } from '../support/harness';
import { newIdentity } from '../support/identity';
import { type SseCall, sseRequest } from '../support/sse-client';

// Each purpose on its own listener (as the firewall table lists them), two collectors, and PoPs
// known by gateway hostnames. The registration endpoint is named by a hostname (bound on
// loopback) so the server certificate must cover it.
let t: TestEmulator;
let urls: Record<'registration' | 'tokens' | 'catalog' | 'collector', string[]>;
beforeAll(async () => {
  t = await startTestEmulator({
    profile: 'saas',
    endpoints: [
      { purpose: 'registration', host: 'wgcs.emulator.test', port: 0, bind: '127.0.0.1' },
      { purpose: 'tokens', port: 0 },
      { purpose: 'catalog', port: 0 },
      { purpose: 'collector', port: 0 },
      { purpose: 'collector', host: '::1', port: 0 },
    ],
    regions: [
      {
        ...parseRegionSpec('us-west=10.77.0.2:443/udp,10.77.0.3:443/tcp'),
        hostnames: ['us-west.pa-wgcs.emulator.test'],
      },
      parseRegionSpec('de=gw1.de.emulator.test:443/udp,gw2.de.emulator.test:443/udp'),
    ],
  });
  urls = t.emu.endpoints;
});
afterAll(() => t.cleanup());

/** The registration listener is named wgcs.emulator.test: reach it on loopback by that name. */
const atRegistration = (call: SseCall) =>
  sseRequest(urls.registration[0] as string, t.emu.caCertPem, call, {
    'wgcs.emulator.test': '127.0.0.1',
  });
const at = (url: string | undefined, call: SseCall) =>
  sseRequest(url as string, t.emu.caCertPem, call);

async function register(body: Record<string, unknown>) {
  const identity = newIdentity();
  const { key } = await t.admin.groupWithKey();
  const res = await atRegistration({
    path: SseRoutes.register,
    body: { provisioningKey: key, csr: identity.csr, hostname: 'host-1', ...body },
  });
  return {
    res,
    tls: { certPem: res.json().certificate as string, keyPem: identity.privateKeyPem },
  };
}

describe('listeners by purpose', () => {
  it('lists each purpose URL and each PoP gateways in GET /admin/endpoints', async () => {
    const table = (await t.admin.get('/admin/endpoints')).body;
    expect(table.profile).toBe('saas');
    expect(table.sseUrl).toBe(t.emu.sseUrl);
    expect(table.endpoints).toEqual(urls);
    expect(urls.registration).toEqual([
      expect.stringMatching(/^https:\/\/wgcs\.emulator\.test:\d+$/),
    ]);
    expect(urls.collector).toEqual([
      expect.stringMatching(/^https:\/\/127\.0\.0\.1:\d+$/),
      expect.stringMatching(/^https:\/\/\[::1\]:\d+$/),
    ]);
    const all = Object.values(urls).flat();
    expect(new Set(all).size).toBe(5);
    expect(all).not.toContain(t.emu.sseUrl);
    expect(table.pops[0]).toEqual({
      region: 'us-west',
      hostnames: ['us-west.pa-wgcs.emulator.test'],
      gateways: [
        { name: 'us-west-gw1', host: '10.77.0.2', port: 443, protocol: 'udp' },
        { name: 'us-west-gw2', host: '10.77.0.3', port: 443, protocol: 'tcp' },
      ],
    });
    expect(table.rows).toContainEqual({
      destination: 'wgcs.emulator.test',
      port: Number(new URL(urls.registration[0] as string).port),
      protocol: 'tcp',
      purpose: 'registration: connector registration and certificate renewal',
    });
  });

  it('gives the registration listener a certificate for its hostname', async () => {
    const port = Number(new URL(urls.registration[0] as string).port);
    const names = await new Promise<string>((resolve, reject) => {
      const socket = connect(
        { host: '127.0.0.1', port, servername: 'wgcs.emulator.test', ca: t.emu.caCertPem },
        () => {
          resolve(socket.getPeerCertificate().subjectaltname ?? '');
          socket.end();
        },
      );
      socket.on('error', reject);
    });
    expect(names.split(', ')).toContain('DNS:wgcs.emulator.test');
  });

  it('registers on the registration listener only; each route only on its own', async () => {
    const { res, tls } = await register({});
    expect(res.status).toBe(201);

    const identity = newIdentity();
    const { key } = await t.admin.groupWithKey();
    const elsewhere = await at(urls.tokens[0], {
      path: SseRoutes.register,
      body: { provisioningKey: key, csr: identity.csr, hostname: 'host-2' },
    });
    expect(elsewhere.status).toBe(404);
    expect(elsewhere.json().error).toEqual({
      code: 'not_found',
      message: `no route POST ${SseRoutes.register}`,
    });

    const tokenAtRegistration = await atRegistration({
      method: 'POST',
      path: SseRoutes.token,
      cert: tls,
    });
    expect(tokenAtRegistration.status).toBe(404);
    expect(tokenAtRegistration.json().error.code).toBe('not_found');

    const token = await at(urls.tokens[0], { method: 'POST', path: SseRoutes.token, cert: tls });
    expect(token.status).toBe(200);
    const accessToken = token.json().accessToken as string;
    const catalog = await at(urls.catalog[0], {
      path: SseRoutes.catalog,
      cert: tls,
      token: accessToken,
    });
    expect(catalog.status).toBe(200);
    const catalogOnCollector = await at(urls.collector[0], {
      path: SseRoutes.catalog,
      cert: tls,
      token: accessToken,
    });
    expect(catalogOnCollector.status).toBe(404);
    // The combined listener keeps serving every route.
    const combined = await t.sse({ path: SseRoutes.catalog, cert: tls, token: accessToken });
    expect(combined.status).toBe(200);
  });

  it('takes ingest on both collectors and records which one took it', async () => {
    const { res, tls } = await register({});
    const connectorId = res.json().connectorId as string;
    const token = (
      await at(urls.tokens[0], { method: 'POST', path: SseRoutes.token, cert: tls })
    ).json().accessToken as string;
    const [first, second] = urls.collector;
    const health = await at(first, {
      path: SseRoutes.health,
      cert: tls,
      token,
      body: { sentAt: '2026-01-01T00:00:00Z', apps: [] },
    });
    expect(health.status).toBe(202);
    const logs = await at(second, {
      path: SseRoutes.logs,
      cert: tls,
      token,
      body: { entries: [{ msg: 'a' }] },
    });
    expect(logs.status).toBe(202);
    const status = await at(second, {
      path: SseRoutes.popStatus,
      cert: tls,
      token,
      body: { hostname: 'host-1', reportedAt: '2026-01-01T00:00:00Z', services: {} },
    });
    expect(status.status).toBe(202);

    const view = (await t.admin.get(`/admin/connectors/${connectorId}`)).body;
    expect(view.health.collector).toBe(first);
    expect(view.popStatus.collector).toBe(second);
    expect(view.collectors).toEqual({ [first as string]: 1, [second as string]: 2 });
  });
});

describe('PoPs by gateway hostname', () => {
  it('registers for the PoP a gateway hostname names, case and trailing dot aside', async () => {
    const { res } = await register({ gateway: 'US-West.PA-WGCS.emulator.test.', region: 'de' });
    expect(res.status).toBe(201);
    const body = res.json();
    expect(body.region).toBe('us-west');
    expect(
      body.gateways.map(
        (g: { host: string; port: number; protocol: string }) =>
          `${g.host}:${g.port}/${g.protocol}`,
      ),
    ).toEqual(['10.77.0.2:443/udp', '10.77.0.3:443/tcp']);
    const view = (await t.admin.get(`/admin/connectors/${body.connectorId}`)).body;
    expect(view.region).toBe('us-west');
  });

  it('registers by a gateway host, with a port', async () => {
    const { res } = await register({ gateway: 'gw2.de.emulator.test:443' });
    expect(res.status).toBe(201);
    expect(res.json().region).toBe('de');
    expect(res.json().gateways).toHaveLength(2);
  });

  it('refuses an unknown gateway naming it, without using the key', async () => {
    const identity = newIdentity();
    const { key, keyId } = await t.admin.groupWithKey();
    const res = await atRegistration({
      path: SseRoutes.register,
      body: {
        provisioningKey: key,
        csr: identity.csr,
        hostname: 'host-1',
        gateway: 'eu.pa-wgcs.emulator.test',
      },
    });
    expect(res.status).toBe(400);
    expect(res.json().error).toEqual({
      code: 'unknown_gateway',
      message: expect.stringContaining('no PoP has the gateway "eu.pa-wgcs.emulator.test"'),
    });
    expect((await t.admin.get(`/admin/keys/${keyId}`)).body.uses).toBe(0);
  });
});
