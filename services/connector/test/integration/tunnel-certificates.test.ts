import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type CertificateAuthority,
  createCertificateAuthority,
  generateKeyPair,
  signCertificate,
} from '@pa-connector/pki';
import type { Gateway } from '@pa-connector/sse-api';
import {
  requireBinary,
  requireRoot,
  spawnTracked,
  stopAll,
  Topology,
  waitFor,
} from '@pa-connector/test-support';
// The emulator's own gateway pieces, to build gateways it would never run (bad certificates).
import {
  buildServerConfig,
  clientConfig,
  generateTlsCryptKey,
} from '../../../../packages/sse-emulator/src/gateways';
import { systemClock } from '../../src/clock';
import { Tunnel } from '../../src/edge/tunnel';
import type { Identity } from '../../src/identity/identity';
import { captureLogger } from '../support/capture-logger';
import { scratch } from '../support/connector';
import { openvpnInNetns } from '../support/tunnels';

const CLIENT_CN = 'con_certtest';

/**
 * Gateways whose server certificate must be refused: from a foreign CA, without the serverAuth
 * EKU, with another name. Each is a real openvpn server built from the emulator's server
 * configuration; a correct one next to them shows the client itself is fine.
 */
describe('tunnel refuses a bad gateway certificate (real openvpn)', () => {
  let topo: Topology;
  let tmp: ReturnType<typeof scratch>;
  let openvpn: string;
  const ca = createCertificateAuthority({ commonName: 'region test CA' });
  const foreignCa = createCertificateAuthority({ commonName: 'Someone else CA' });
  const tlsCryptKey = generateTlsCryptKey();
  const clientKeys = generateKeyPair();
  const identity: Identity = {
    connectorId: CLIENT_CN,
    groupId: 'grp_test',
    region: 'local',
    hostname: 'pop-vm-1',
    gateways: [],
    certificatePem: signCertificate({
      ca,
      publicKeyPem: clientKeys.publicKeyPem,
      commonName: CLIENT_CN,
      lifetimeSeconds: 3600,
      usage: 'client',
    }).certPem,
    caChainPems: [ca.certPem],
    privateKeyPem: clientKeys.privateKeyPem,
    enrolledAt: new Date().toISOString(),
    tunnel: { tlsCryptKey, cipher: 'AES-256-GCM' },
  };
  let port = 1194;
  let net = 10;

  beforeAll(async () => {
    requireRoot('it creates network namespaces and tun devices');
    requireBinary('openvpn', 'openvpn');
    topo = await Topology.create({ roles: ['gw', 'connector'] });
    tmp = scratch();
    openvpn = openvpnInNetns(tmp.dir, topo.host('connector').netns);
  });

  afterAll(async () => {
    await stopAll();
    await topo?.destroy();
    tmp?.cleanup();
  });

  /** Starts an openvpn gateway whose certificate is signed by `issuer` for `usage`, named `cn`. */
  async function gateway(o: {
    cn: string;
    issuer: CertificateAuthority;
    usage: 'server' | 'client';
  }): Promise<Gateway> {
    const dir = join(tmp.dir, `gw-${port}`);
    mkdirSync(join(dir, 'ccd'), { recursive: true, mode: 0o700 });
    const keys = generateKeyPair();
    const cert = signCertificate({
      ca: o.issuer,
      publicKeyPem: keys.publicKeyPem,
      commonName: o.cn,
      lifetimeSeconds: 3600,
      usage: o.usage,
    });
    const network = `10.232.${net++}.0`;
    const files: Record<string, string> = {
      'ca.crt': ca.certPem,
      'server.crt': cert.certPem,
      'server.key': keys.privateKeyPem,
      'tls-crypt.key': tlsCryptKey,
      [`ccd/${CLIENT_CN}`]: clientConfig(network.replace(/0$/, '2')),
      'server.conf': buildServerConfig({
        listenHost: topo.host('gw').ipv4,
        port,
        protocol: 'udp',
        tunnelNetwork: network,
        dir,
        managementSocket: join(dir, 'management.sock'),
        pingSeconds: 1,
        pingRestartSeconds: 5,
      }),
    };
    for (const [f, text] of Object.entries(files))
      writeFileSync(join(dir, f), text, { mode: 0o600 });
    const server = spawnTracked('ip', [
      'netns',
      'exec',
      topo.host('gw').netns,
      'openvpn',
      '--config',
      join(dir, 'server.conf'),
    ]);
    await server.waitForLine(/Initialization Sequence Completed/, 15_000);
    const g: Gateway = {
      id: `gw-${port}`,
      name: `gw-${port}`,
      host: topo.host('gw').ipv4,
      port,
      protocol: 'udp',
      serverName: 'gw-expected',
    };
    port++;
    return g;
  }

  async function tryTunnel(g: Gateway, settleMs: number) {
    const { logger, lines } = captureLogger();
    const tunnel = new Tunnel({
      name: 't1',
      gateway: g,
      identity: () => identity,
      dir: join(tmp.dir, `run-${g.port}`),
      device: 'pa-t1',
      openvpnPath: openvpn,
      timing: { pingSeconds: 1, pingRestartSeconds: 3, connectRetryMaxSeconds: 2 },
      connectTimeoutMs: 60_000,
      silenceTimeoutMs: 1_500,
      backoff: { initialMs: 200, maxMs: 1_000 },
      clock: systemClock,
      random: Math.random,
      logger,
    });
    tunnel.start();
    try {
      const refusedLine = await waitFor(
        'a refusal or a connection',
        () =>
          lines.find((l) => l.includes('certificate was refused')) ??
          (tunnel.view.phase === 'connected' ? 'connected' : undefined),
        20_000,
      );
      // Let openvpn retry a few times: the refusal is still logged once.
      await new Promise((r) => setTimeout(r, settleMs));
      const refusals = lines.filter((l) => l.includes('certificate was refused'));
      return { refusedLine, refusals, view: tunnel.view };
    } finally {
      await tunnel.stop();
    }
  }

  it('connects to a gateway with a correct certificate (control)', async () => {
    const g = await gateway({ cn: 'gw-expected', issuer: ca, usage: 'server' });
    const r = await tryTunnel(g, 0);
    expect(r.refusedLine).toBe('connected');
    expect(r.refusals).toEqual([]);
  });

  it('refuses a certificate from a foreign CA, with one clear line', async () => {
    const g = await gateway({ cn: 'gw-expected', issuer: foreignCa, usage: 'server' });
    const r = await tryTunnel(g, 3_000);
    console.log(`foreign CA: ${JSON.parse(r.refusedLine).msg}`);
    expect(JSON.parse(r.refusedLine)).toMatchObject({
      level: 'error',
      msg: expect.stringMatching(/certificate was refused: .*not issued by the CA of this region/),
    });
    expect(r.refusals).toHaveLength(1);
    expect(r.view.phase).not.toBe('connected');
    // /ready and Redis show the refusal, not just "tls-error".
    expect(r.view.lastError).toMatch(/^gateway certificate refused: .*not issued by the CA/);
  });

  it('refuses a certificate without the serverAuth EKU, with one clear line', async () => {
    const g = await gateway({ cn: 'gw-expected', issuer: ca, usage: 'client' });
    const r = await tryTunnel(g, 3_000);
    console.log(`no serverAuth: ${JSON.parse(r.refusedLine).msg}`);
    expect(JSON.parse(r.refusedLine).msg).toMatch(
      /certificate was refused: it lacks the serverAuth/,
    );
    expect(r.refusals).toHaveLength(1);
  });

  it('refuses a certificate with another name, with one clear line', async () => {
    const g = await gateway({ cn: 'gw-impostor', issuer: ca, usage: 'server' });
    const r = await tryTunnel(g, 3_000);
    console.log(`wrong name: ${JSON.parse(r.refusedLine).msg}`);
    expect(JSON.parse(r.refusedLine).msg).toMatch(
      /certificate was refused: its name \(CN=gw-impostor\) is not the expected gw-expected/,
    );
    expect(r.refusals).toHaveLength(1);
  });
});
