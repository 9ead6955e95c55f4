import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCertificateAuthority, generateKeyPair, signCertificate } from '@pa-connector/pki';
import {
  requireBinary,
  requireRoot,
  spawnTracked,
  stopAll,
  Topology,
} from '@pa-connector/test-support';
import { GatewayServer, generateTlsCryptKey } from '../../src/gateways';

/**
 * A real OpenVPN gateway server in one namespace and a real OpenVPN client in another. The
 * client's configuration here is the minimum a connector needs; the connector writes its own.
 */
describe('GatewayServer (real openvpn in network namespaces)', () => {
  let topo: Topology;
  let dir: string;
  const ca = createCertificateAuthority({ commonName: 'pa-emulator test CA' });
  const tlsCrypt = generateTlsCryptKey();
  let gw: GatewayServer;
  const gwLines: string[] = [];

  beforeAll(async () => {
    requireRoot('it creates network namespaces and tun devices');
    requireBinary('openvpn', 'openvpn');
    topo = await Topology.create({ roles: ['gw1', 'connector'] });
    dir = mkdtempSync(join(tmpdir(), 'pa-gw-'));
    gw = new GatewayServer({
      name: 'gw1.local.pa.test',
      dir: join(dir, 'gw1'),
      port: 1194,
      protocol: 'udp',
      tunnelNetwork: '10.231.1.0',
      ca,
      tlsCryptKey: tlsCrypt,
      netns: topo.host('gw1').netns,
      onLine: (l) => gwLines.push(l),
    });
    await gw.start();
  }, 60_000);

  afterAll(async () => {
    await stopAll();
    await gw?.kill();
    await topo?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  function client(
    name: string,
    o: { usage?: 'client' | 'server'; caPem?: string; remote?: string },
  ) {
    const keys = generateKeyPair();
    const cert = signCertificate({
      ca,
      publicKeyPem: keys.publicKeyPem,
      commonName: name,
      lifetimeSeconds: 3600,
      usage: o.usage ?? 'client',
    });
    const cdir = join(dir, name);
    const files: Record<string, string> = {
      'ca.crt': o.caPem ?? ca.certPem,
      'client.crt': cert.certPem,
      'client.key': keys.privateKeyPem,
      'tc.key': tlsCrypt,
    };
    mkdirSync(cdir, { mode: 0o700 });
    for (const [f, v] of Object.entries(files)) writeFileSync(join(cdir, f), v, { mode: 0o600 });
    const conf = [
      'client',
      'dev tun',
      'proto udp',
      `remote ${o.remote ?? topo.host('gw1').ipv4} 1194`,
      'nobind',
      `cd ${cdir}`,
      'ca ca.crt',
      'cert client.crt',
      'key client.key',
      'tls-crypt tc.key',
      'remote-cert-tls server',
      'verify-x509-name gw1.local.pa.test name',
      'data-ciphers AES-256-GCM',
      'connect-retry 1',
      'verb 3',
    ].join('\n');
    writeFileSync(join(cdir, 'client.conf'), conf, { mode: 0o600 });
    return spawnTracked('ip', [
      'netns',
      'exec',
      topo.host('connector').netns,
      'openvpn',
      '--config',
      join(cdir, 'client.conf'),
    ]);
  }

  it('accepts a connector certificate, gives it its fixed address, and carries traffic', async () => {
    const fixed = await gw.assignAddress('con_ok');
    const c = client('con_ok', {});
    await c.waitForLine(/Initialization Sequence Completed/, 20_000);
    expect(c.lines.join('\n')).toContain(fixed);
    const ping = spawn('ip', [
      'netns',
      'exec',
      topo.host('connector').netns,
      'ping',
      '-c',
      '1',
      '-W',
      '2',
      gw.tunnelAddress,
    ]);
    expect(await new Promise((r) => ping.on('exit', r))).toBe(0);
    await c.stop();
  }, 40_000);

  it('accepts a connector over IPv6 transport', async () => {
    await gw.assignAddress('con_v6');
    const c = client('con_v6', { remote: topo.host('gw1').ipv6 });
    await c.waitForLine(/Initialization Sequence Completed/, 20_000);
    await c.stop();
  }, 40_000);

  it('is refused by a client that trusts another CA', async () => {
    const foreign = createCertificateAuthority({ commonName: 'someone else' });
    await gw.assignAddress('con_foreign');
    const c = client('con_foreign', { caPem: foreign.certPem });
    await c.waitForLine(/VERIFY ERROR|certificate verify failed/, 20_000);
    await c.stop();
  }, 40_000);

  it('refuses a client certificate without the clientAuth usage', async () => {
    await gw.assignAddress('con_server_eku');
    const lines: string[] = [];
    const c = client('con_server_eku', { usage: 'server' });
    // The client never completes: the gateway drops it at the TLS handshake.
    await expect(c.waitForLine(/Initialization Sequence Completed/, 6_000)).rejects.toThrow(
      /no line matching/,
    );
    lines.push(...c.lines);
    await c.stop();
    expect(lines.join('\n')).not.toContain('Initialization Sequence Completed');
  }, 40_000);
});
