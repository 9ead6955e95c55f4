import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCertificateAuthority, generateKeyPair, signCertificate } from '@pa-connector/pki';
import { requireBinary, run, type TrackedProcess } from '@pa-connector/test-support';
import { spawnInNetns } from './netns-process';

export interface PlainOpenvpnOptions {
  /** The gateway's namespace and its address there: the server binds it. */
  serverNetns: string;
  serverHost: string;
  /** The connector's namespace: the client runs there. */
  clientNetns: string;
  /** Where keys, certificates and the two configurations go (0600). */
  dir: string;
}

export interface PlainOpenvpnPair {
  /** The client's tunnel address (in `clientNetns`), what the bench forwards through. */
  clientAddress: string;
  server: TrackedProcess;
  client: TrackedProcess;
  stop(): Promise<void>;
}

/**
 * Its own UDP port, tun names and /30, none of which the stack uses (gateways listen on 1194 and
 * give out 10.231.<n>.0/24; the topology takes 10.100-199.x.0/24; the connector names its tun
 * devices pa-*, the gateways tun<n>).
 */
const PORT = 1195;
const SERVER_ADDRESS = '10.99.255.1';
const CLIENT_ADDRESS = '10.99.255.2';
const SERVER_DEVICE = 'plainovpn-s';
const CLIENT_DEVICE = 'plainovpn-c';

/** Socket buffers as large as the kernel allows here (net.core.[rw]mem_max is 4 MiB). */
const SOCKET_BUFFER_BYTES = 4_194_304;

/**
 * What both ends share: the same data cipher and TLS setup as the stack's tunnels (AES-256-GCM
 * only, tls-crypt, TLS 1.2+), tuned for bulk throughput as far as we know how on a path of MTU
 * 1500: socket buffers as large as the kernel allows on both ends, fast-io (UDP writes without
 * a poll first), a tun queue of 1000, tun-mtu and mssfix at openvpn's defaults (1500, and 1492
 * for the whole encapsulated packet), as on the stack's tunnels: a larger tun-mtu would fragment
 * every datagram on the 1500-byte veth. Point to point: no client table to look packets up in,
 * no pushed options, no management socket (a server-mode pair measured the same).
 */
function commonLines(device: string): string[] {
  return [
    'dev-type tun',
    `dev ${device}`,
    'proto udp4',
    'dh none',
    'ca ca.crt',
    'tls-crypt tls-crypt.key',
    'tls-version-min 1.2',
    'data-ciphers AES-256-GCM',
    `sndbuf ${SOCKET_BUFFER_BYTES}`,
    `rcvbuf ${SOCKET_BUFFER_BYTES}`,
    'fast-io',
    'txqueuelen 1000',
    'allow-compression no',
    'topology p2p',
    'keepalive 10 60',
    'verb 3',
  ];
}

function serverConfig(o: PlainOpenvpnOptions): string {
  return [
    ...commonLines(SERVER_DEVICE),
    'tls-server',
    `local ${o.serverHost}`,
    `lport ${PORT}`,
    `ifconfig ${SERVER_ADDRESS} ${CLIENT_ADDRESS}`,
    'cert server.crt',
    'key server.key',
    'remote-cert-tls client',
    '',
  ].join('\n');
}

function clientConfig(o: PlainOpenvpnOptions): string {
  return [
    ...commonLines(CLIENT_DEVICE),
    'tls-client',
    'nobind',
    `remote ${o.serverHost} ${PORT}`,
    `ifconfig ${CLIENT_ADDRESS} ${SERVER_ADDRESS}`,
    'cert client.crt',
    'key client.key',
    'remote-cert-tls server',
    'verify-x509-name plain-openvpn-server name',
    '',
  ].join('\n');
}

/** A throwaway CA with one server and one client certificate, and a tls-crypt key. */
async function writePki(dir: string, openvpn: string): Promise<void> {
  const ca = createCertificateAuthority({ commonName: 'plain-openvpn-ca', validDays: 1 });
  const secret = (name: string, text: string) =>
    writeFileSync(join(dir, name), text, { mode: 0o600 });
  secret('ca.crt', ca.certPem);
  for (const usage of ['server', 'client'] as const) {
    const keys = generateKeyPair();
    const cert = signCertificate({
      ca,
      publicKeyPem: keys.publicKeyPem,
      commonName: `plain-openvpn-${usage}`,
      lifetimeSeconds: 86_400,
      usage,
    });
    secret(`${usage}.crt`, cert.certPem);
    secret(`${usage}.key`, keys.privateKeyPem);
  }
  await run(openvpn, ['--genkey', 'tls-crypt', join(dir, 'tls-crypt.key')]);
}

/**
 * Starts the plain pair, server in `serverNetns`, client in `clientNetns`, and resolves once the
 * client has its tunnel up (`Initialization Sequence Completed`).
 */
export async function startPlainOpenvpn(o: PlainOpenvpnOptions): Promise<PlainOpenvpnPair> {
  const openvpn = requireBinary('openvpn', 'openvpn');
  await writePki(o.dir, openvpn);
  writeFileSync(join(o.dir, 'server.conf'), serverConfig(o), { mode: 0o600 });
  writeFileSync(join(o.dir, 'client.conf'), clientConfig(o), { mode: 0o600 });
  const start = (netns: string, file: string) =>
    spawnInNetns(netns, openvpn, ['--cd', o.dir, '--config', file]);
  const server = start(o.serverNetns, 'server.conf');
  const client = start(o.clientNetns, 'client.conf');
  const stop = async () => {
    await Promise.all([client.stop(), server.stop()]);
  };
  try {
    await Promise.all(
      [server, client].map((p) => p.waitForLine(/Initialization Sequence Completed/, 30_000)),
    );
    // The baseline is only fair with the stack's data cipher (2.6 negotiates it point to point).
    await client.waitForLine(/Data Channel: cipher 'AES-256-GCM'/, 5_000);
  } catch (err) {
    const tail = [...server.lines.slice(-3), ...client.lines.slice(-3)].join(' | ');
    await stop();
    throw new Error(`plain openvpn pair did not come up: ${(err as Error).message}: ${tail}`);
  }
  return { clientAddress: CLIENT_ADDRESS, server, client, stop };
}
