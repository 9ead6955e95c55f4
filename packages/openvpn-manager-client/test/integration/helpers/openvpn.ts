import { createSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { requireBinary } from './environment';
import { createTestPki } from './pki';
import { spawnTracked, type TrackedProcess } from './processes';

/**
 * Starts `openvpn` (optionally through `ip netns exec`, which execs it: the PID stays the
 * same) and waits until its management interface listens.
 */
export async function startOpenVpn(
  args: string[],
  options: { netns?: string; cwd?: string } = {},
): Promise<TrackedProcess> {
  const openvpn = requireBinary('openvpn', 'openvpn');
  const proc = options.netns
    ? spawnTracked(
        requireBinary('ip', 'iproute2'),
        ['netns', 'exec', options.netns, openvpn, ...args],
        {
          cwd: options.cwd,
        },
      )
    : spawnTracked(openvpn, args, { cwd: options.cwd });
  await proc.waitForLine(/MANAGEMENT: (unix domain socket|TCP Socket) listening on/, 15_000);
  return proc;
}

/** A UDP port on 127.0.0.1 nobody listens on (so a client sent there never gets an answer). */
export function unusedUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}

/** The client options every test uses: no routes, no tun, no DNS, retry fast. */
export function heldClientArgs(o: {
  socket: string[];
  ca: string;
  cert: string;
  key: string;
  remote: string[];
}): string[] {
  return [
    '--client',
    '--dev',
    'null',
    '--nobind',
    '--remote',
    ...o.remote,
    '--ca',
    o.ca,
    '--cert',
    o.cert,
    '--key',
    o.key,
    '--management',
    ...o.socket,
    '--management-hold',
    '--connect-retry',
    '1',
    '--verb',
    '3',
  ];
}

export function requireTun(): void {
  if (!existsSync('/dev/net/tun')) {
    throw new Error('this test needs /dev/net/tun (a real tun device for the OpenVPN pair)');
  }
}

/**
 * A held TLS client (see heldClientArgs) with a fresh PKI in `dir`, its management interface on
 * the unix socket `<dir>/mgmt.sock`, aimed at a UDP port where nothing answers.
 */
export async function startHeldClientOnSocket(
  dir: string,
): Promise<{ openvpn: TrackedProcess; socketPath: string }> {
  const pki = await createTestPki(dir);
  const socketPath = join(dir, 'mgmt.sock');
  const openvpn = await startOpenVpn(
    heldClientArgs({
      socket: [socketPath, 'unix'],
      ca: pki.ca,
      cert: pki.clientCert,
      key: pki.clientKey,
      remote: ['127.0.0.1', String(await unusedUdpPort()), 'udp'],
    }),
  );
  return { openvpn, socketPath };
}
