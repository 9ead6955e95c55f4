import { requireBinary, run } from '@pa-connector/test-support';

export interface RawTunnelOptions {
  /** Namespace of the connector (the tunnel's far end). */
  netns: string;
  /** The connector's tunnel address and a port of the raw path's own on it. */
  tunnelAddress: string;
  port: number;
  /** The app server the packets go on to. */
  app: { host: string; port: number };
}

export interface RawTunnel {
  remove(): Promise<void>;
}

/**
 * The raw tunnel path, for the baseline: no process between the tunnel and the app. The kernel of
 * the connector's namespace rewrites the destination of packets that come out of the tunnel for
 * `tunnelAddress:port` to the app server and forwards them (DNAT in PREROUTING, SNAT to its own
 * address on the way out so answers come back the same way). The packets cross the same tunnel
 * and the same veth as through the proxy; only the user-space hop is missing.
 *
 * Routing the app's address itself through the tunnel would need the gateway's OpenVPN server to
 * know the route (`iroute`), which the emulator does not configure; the rewrite keeps the
 * gateway side untouched. IPv4 only (the tunnels are IPv4).
 */
export async function setUpRawTunnel(o: RawTunnelOptions): Promise<RawTunnel> {
  const iptables = requireBinary('iptables', 'iptables');
  const inNs = (args: string[]) => run('ip', ['netns', 'exec', o.netns, ...args]);
  const dnat = [
    'PREROUTING',
    '-d',
    o.tunnelAddress,
    '-p',
    'tcp',
    '--dport',
    String(o.port),
    '-j',
    'DNAT',
    '--to-destination',
    `${o.app.host}:${o.app.port}`,
  ];
  const snat = [
    'POSTROUTING',
    '-d',
    o.app.host,
    '-p',
    'tcp',
    '--dport',
    String(o.app.port),
    '-m',
    'conntrack',
    '--ctstate',
    'DNAT',
    '-j',
    'MASQUERADE',
  ];
  const forwarding = (await inNs(['sysctl', '-n', 'net.ipv4.ip_forward'])).trim();
  await inNs(['sysctl', '-q', '-w', 'net.ipv4.ip_forward=1']);
  await inNs([iptables, '-t', 'nat', '-A', ...dnat]);
  try {
    await inNs([iptables, '-t', 'nat', '-A', ...snat]);
  } catch (err) {
    await inNs([iptables, '-t', 'nat', '-D', ...dnat]).catch(() => undefined);
    throw err;
  }
  return {
    async remove() {
      await inNs([iptables, '-t', 'nat', '-D', ...snat]).catch(() => undefined);
      await inNs([iptables, '-t', 'nat', '-D', ...dnat]).catch(() => undefined);
      await inNs(['sysctl', '-q', '-w', `net.ipv4.ip_forward=${forwarding}`]).catch(
        () => undefined,
      );
    },
  };
}
