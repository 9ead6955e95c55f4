import { spawn } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyPair, signCertificate } from '@pa-connector/pki';
import { type RegisterResponse, SseRoutes } from '@pa-connector/sse-api';
import {
  requireBinary,
  requireRoot,
  stopAll,
  Topology,
  type TrackedProcess,
  waitFor,
} from '@pa-connector/test-support';
import { regionConfig } from '../../src';
import { startTestEmulator, type TestEmulator } from '../support/harness';
import { newIdentity } from '../support/identity';
import { startOpenvpnClient } from '../support/openvpn-client';

/**
 * The emulator with real gateways: one openvpn server per gateway, each in its own network
 * namespace, and real openvpn clients built only from what registration returned.
 */
describe('emulator gateways (real openvpn in network namespaces)', () => {
  let topo: Topology;
  let t: TestEmulator;
  let regions: ReturnType<typeof regionConfig>[];

  const start = (dataDir?: string) =>
    startTestEmulator({
      regions,
      gateways: true,
      ...(dataDir ? { dataDir, clock: t.clock } : {}),
    });

  beforeAll(async () => {
    requireRoot('it creates network namespaces and tun devices');
    requireBinary('openvpn', 'openvpn');
    topo = await Topology.create({ roles: ['gw1', 'gw2', 'connector'] });
    // On 443 as the firewall table has them, one UDP and one TCP, in a PoP known by a hostname.
    regions = [
      {
        ...regionConfig('local', [
          {
            host: topo.host('gw1').ipv4,
            port: 443,
            protocol: 'udp',
            netns: topo.host('gw1').netns,
          },
          {
            host: topo.host('gw2').ipv4,
            port: 443,
            protocol: 'tcp',
            netns: topo.host('gw2').netns,
          },
        ]),
        hostnames: ['local.pa-wgcs.emulator.test'],
      },
    ];
    t = await start();
  }, 60_000);

  afterAll(async () => {
    await stopAll();
    await t?.cleanup();
    await topo?.destroy();
  });

  async function register(
    extra: { gateway?: string } = {},
  ): Promise<{ reg: RegisterResponse; keyPem: string }> {
    const identity = newIdentity();
    const { key } = await t.admin.groupWithKey();
    const res = await t.sse({
      path: SseRoutes.register,
      body: { provisioningKey: key, csr: identity.csr, hostname: 'host-1', ...extra },
    });
    expect(res.status).toBe(201);
    return { reg: res.json(), keyPem: identity.privateKeyPem };
  }

  /** An openvpn client made from the registration answer alone (plus the private key). */
  function connect(
    reg: RegisterResponse,
    gatewayIndex: number,
    keyPem: string,
    o: { certPem?: string; name?: string } = {},
  ): TrackedProcess {
    const g = reg.gateways[gatewayIndex];
    return startOpenvpnClient({
      reg,
      gatewayIndex,
      keyPem,
      netns: topo.host('connector').netns,
      dir: join(t.dataDir, 'clients', `${o.name ?? reg.connectorId}-${g?.name}`),
      ...(o.certPem ? { certPem: o.certPem } : {}),
    });
  }

  /** The address pushed to the client: "... ifconfig <addr> 255.255.255.0" in its log. */
  function pushedAddress(c: TrackedProcess): string | undefined {
    for (const line of c.lines) {
      const m = /ifconfig (\d+\.\d+\.\d+\.\d+) 255\.255\.255\.0/.exec(line);
      if (m) return m[1];
    }
    return undefined;
  }

  it('registration returns both gateways with server name, fixed address and the tls-crypt key; a client built from it gets exactly that address', async () => {
    const { reg, keyPem } = await register();
    expect(reg.tunnel?.cipher).toBe('AES-256-GCM');
    expect(reg.tunnel?.tlsCryptKey).toMatch(/^-----BEGIN OpenVPN Static key V1-----/);
    expect(reg.gateways).toHaveLength(2);
    const [g1, g2] = reg.gateways;
    expect(g1).toMatchObject({ serverName: 'local-gw1', host: topo.host('gw1').ipv4 });
    expect(g2).toMatchObject({ serverName: 'local-gw2', host: topo.host('gw2').ipv4 });
    expect(g1?.tunnelAddress).toMatch(/^10\.231\.\d+\.\d+$/);
    expect(g2?.tunnelAddress).toMatch(/^10\.231\.\d+\.\d+$/);
    // Two gateways, two tunnel networks.
    expect(g1?.tunnelAddress?.split('.')[2]).not.toBe(g2?.tunnelAddress?.split('.')[2]);
    const keyFile = join(t.dataDir, 'regions', 'local', 'tls-crypt.key');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(keyFile, 'utf8')).toBe(reg.tunnel?.tlsCryptKey);

    for (const i of [0, 1]) {
      const c = connect(reg, i, keyPem);
      await c.waitForLine(/Initialization Sequence Completed/, 20_000);
      expect(pushedAddress(c)).toBe(reg.gateways[i]?.tunnelAddress);
      await c.stop();
    }
  }, 60_000);

  it('a connector naming the PoP by its gateway hostname gets both gateways and opens both tunnels on 443, UDP and TCP', async () => {
    const { reg, keyPem } = await register({ gateway: 'Local.PA-WGCS.emulator.test.' });
    expect(reg.region).toBe('local');
    expect(reg.gateways.map((g) => `${g.port}/${g.protocol}`)).toEqual(['443/udp', '443/tcp']);
    for (const i of [0, 1]) {
      const c = connect(reg, i, keyPem);
      await c.waitForLine(/Initialization Sequence Completed/, 20_000);
      expect(pushedAddress(c)).toBe(reg.gateways[i]?.tunnelAddress);
      await c.stop();
    }
  }, 60_000);

  it('lists the gateways; kill leaves one dead until start brings it back', async () => {
    const list = await t.admin.get('/admin/gateways');
    expect(list.status).toBe(200);
    expect(list.body.map((g: { name: string }) => g.name)).toEqual(['local-gw1', 'local-gw2']);
    const before = list.body[0];
    expect(before).toMatchObject({
      running: true,
      region: 'local',
      tunnelAddress: expect.any(String),
    });
    const pid = before.pid as number;
    expect(processAlive(pid)).toBe(true);

    const killed = await t.admin.post('/admin/gateways/local-gw1/kill');
    expect(killed.status).toBe(200);
    expect(killed.body).toMatchObject({ running: false, pid: null });
    expect(processAlive(pid)).toBe(false);
    expect((await t.admin.get('/admin/gateways/local-gw1')).body.running).toBe(false);
    // The other gateway is untouched.
    expect((await t.admin.get('/admin/gateways/local-gw2')).body.running).toBe(true);

    const started = await t.admin.post('/admin/gateways/local-gw1/start');
    expect(started.status).toBe(200);
    expect(started.body.running).toBe(true);
    expect(started.body.pid).not.toBe(pid);
    expect(processAlive(started.body.pid)).toBe(true);

    const stopped = await t.admin.post('/admin/gateways/local-gw2/stop');
    expect(stopped.body.running).toBe(false);
    expect((await t.admin.post('/admin/gateways/local-gw2/start')).body.running).toBe(true);
    expect((await t.admin.post('/admin/gateways/nope/kill')).status).toBe(404);
  }, 60_000);

  it('refuses a client certificate whose CN has no address there (ccd-exclusive)', async () => {
    const { reg, keyPem } = await register();
    // Same CA, but a CN the SSE never registered.
    const other = generateKeyPair();
    const stranger = signCertificate({
      ca: { certPem: readFileSync(join(t.dataDir, 'ca.crt'), 'utf8'), keyPem: readCaKey() },
      publicKeyPem: other.publicKeyPem,
      commonName: 'con_unknown',
      lifetimeSeconds: 3600,
      usage: 'client',
    });
    const c = connect(reg, 0, other.privateKeyPem, { certPem: stranger.certPem, name: 'stranger' });
    // The TLS handshake passes (same CA); the gateway then refuses the unknown CN.
    await c.waitForLine(/AUTH_FAILED/, 15_000);
    expect(c.lines.join('\n')).not.toContain('Initialization Sequence Completed');
    await c.stop();
    // The registered one gets in, until it is removed: then its ccd/ file is gone too.
    const ok = connect(reg, 0, keyPem);
    await ok.waitForLine(/Initialization Sequence Completed/, 20_000);
    await ok.stop();
    expect((await t.admin.delete(`/admin/connectors/${reg.connectorId}`)).status).toBe(204);
    const removed = connect(reg, 0, keyPem, { name: 'removed' });
    await removed.waitForLine(/AUTH_FAILED/, 15_000);
    await removed.stop();
  }, 60_000);

  it('stores a health update posted to the control endpoint through the tunnel', async () => {
    const { reg, keyPem } = await register();
    const g = reg.gateways[0];
    const c = connect(reg, 0, keyPem);
    await c.waitForLine(/Initialization Sequence Completed/, 20_000);
    const update = {
      connectorId: reg.connectorId,
      sentAt: new Date().toISOString(),
      tunnel: 'tunnel-1',
      apps: [{ id: 'wiki', state: 'up', servers: [{ host: '10.0.0.5', port: 443, up: true }] }],
    };
    const answer = await curlInConnector([
      '-XPOST',
      '--data-binary',
      JSON.stringify(update),
      `${g?.controlUrl}/health`,
    ]);
    expect(answer).toContain('"accepted":1');
    const bad = await curlInConnector([
      '-XPOST',
      '--data-binary',
      '{"apps":1}',
      `${g?.controlUrl}/health`,
    ]);
    expect(bad).toContain('invalid_request');

    const view = await waitFor(
      'the health update in the gateway view',
      async () => {
        const v = (await t.admin.get('/admin/gateways/local-gw1')).body;
        return v.health.some((h: { connectorId: string }) => h.connectorId === reg.connectorId)
          ? v
          : undefined;
      },
      10_000,
    );
    const stored = view.health.find(
      (h: { connectorId: string }) => h.connectorId === reg.connectorId,
    );
    expect(stored).toMatchObject({
      tunnel: 'tunnel-1',
      remoteAddress: g?.tunnelAddress,
      addressMatches: true,
      stale: false,
      body: update,
    });
    await t.clock.advance((view.healthStaleSeconds + 1) * 1000);
    const later = (await t.admin.get('/admin/gateways/local-gw1')).body;
    expect(
      later.health.find((h: { connectorId: string }) => h.connectorId === reg.connectorId).stale,
    ).toBe(true);
    // The connected client shows up from the management interface.
    expect(later.clients.map((x: { commonName: string }) => x.commonName)).toContain(
      reg.connectorId,
    );
    await c.stop();
  }, 60_000);

  it('forgets the health updates of a gateway that died once it starts again (its tunnels died with it)', async () => {
    const { reg, keyPem } = await register();
    const g = reg.gateways[0];
    const c = connect(reg, 0, keyPem);
    await c.waitForLine(/Initialization Sequence Completed/, 20_000);
    const update = {
      connectorId: reg.connectorId,
      sentAt: new Date().toISOString(),
      tunnel: 'tunnel-1',
      apps: [{ id: 'wiki', state: 'up', servers: [{ host: '10.0.0.5', port: 443, up: true }] }],
    };
    expect(
      await curlInConnector([
        '-XPOST',
        '--data-binary',
        JSON.stringify(update),
        `${g?.controlUrl}/health`,
      ]),
    ).toContain('"accepted":1');
    const ours = (v: { health: Array<{ connectorId: string }> }) =>
      v.health.filter((h) => h.connectorId === reg.connectorId);
    await waitFor(
      'the health update in the gateway view',
      async () =>
        ours((await t.admin.get('/admin/gateways/local-gw1')).body).length ? true : undefined,
      10_000,
    );
    await c.stop();
    expect((await t.admin.post('/admin/gateways/local-gw1/kill')).status).toBe(200);
    const started = await t.admin.post('/admin/gateways/local-gw1/start');
    expect(started.body).toMatchObject({ running: true });
    // The update is not stale on the fake clock: only the restart can have dropped it. Kept, it
    // would let the user ingress pick a tunnel that no longer exists.
    expect(ours((await t.admin.get('/admin/gateways/local-gw1')).body)).toEqual([]);
  }, 60_000);

  it('keeps the tls-crypt key, gateway certificates and address assignments across a restart', async () => {
    const { reg, keyPem } = await register();
    const certBefore = readFileSync(join(t.dataDir, 'gateways', 'local-gw1', 'server.crt'), 'utf8');
    const pids = (await t.admin.get('/admin/gateways')).body.map((g: { pid: number }) => g.pid);
    await t.stop();
    for (const pid of pids) expect(processAlive(pid)).toBe(false);

    t = await start(t.dataDir);
    expect(readFileSync(join(t.dataDir, 'gateways', 'local-gw1', 'server.crt'), 'utf8')).toBe(
      certBefore,
    );
    const { reg: next } = await register();
    expect(next.tunnel?.tlsCryptKey).toBe(reg.tunnel?.tlsCryptKey);
    // The newcomer gets a new address; the earlier connector keeps its own and gets in with it.
    expect(next.gateways[1]?.tunnelAddress).not.toBe(reg.gateways[1]?.tunnelAddress);
    const c = connect(reg, 1, keyPem, { name: 'again' });
    await c.waitForLine(/Initialization Sequence Completed/, 20_000);
    expect(pushedAddress(c)).toBe(reg.gateways[1]?.tunnelAddress);
    await c.stop();
  }, 90_000);

  function readCaKey(): string {
    return readFileSync(join(t.dataDir, 'ca.key'), 'utf8');
  }

  function curlInConnector(args: string[]): Promise<string> {
    return new Promise((resolve, reject) => {
      const p = spawn('ip', [
        'netns',
        'exec',
        topo.host('connector').netns,
        'curl',
        '-sS',
        '--max-time',
        '5',
        '-H',
        'content-type: application/json',
        ...args,
      ]);
      let out = '';
      p.stdout.on('data', (c: Buffer) => {
        out += c.toString();
      });
      p.stderr.on('data', (c: Buffer) => {
        out += c.toString();
      });
      p.on('error', reject);
      p.on('exit', () => resolve(out));
    });
  }
});

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
