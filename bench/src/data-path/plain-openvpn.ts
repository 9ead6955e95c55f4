import { iperf3Gbps } from './iperf3';
import { measure } from './netns-process';
import { cpuDuring, openvpnPids } from './openvpn-cpu';
import { median, round } from './percentiles';
import { startPlainOpenvpn } from './plain-openvpn-pair';
import { setUpRawTunnel } from './raw-tunnel';
import { udpReceiveDrops } from './udp-drops';

export interface PlainOpenvpnBaselineOptions {
  /** The gateway's namespace (where the load client and the plain server run) and its address. */
  gwNetns: string;
  gwHost: string;
  /** The connector's namespace (where the plain client runs and the forward is set up). */
  popNetns: string;
  /** The bench app server, and the app namespace with its address for iperf3's server. */
  app: { host: string; port: number };
  appNetns: string;
  /** The stack's raw tunnel path (already set up): the tunnel the pair is compared with. */
  tunnel: { host: string; port: number };
  /** Ports of the pair's own forwards on its client address (bulk and iperf3). */
  rawPort: number;
  iperfForwardPort: number;
  iperfPort: number;
  rounds: number;
  seconds: number;
  dir: string;
}

async function bulk(netns: string, to: { host: string; port: number }, seconds: number) {
  const f = await measure(netns, [
    ...['--mode', 'bulk', '--seconds', String(seconds)],
    ...['--host', to.host, '--port', String(to.port)],
  ]);
  return { gbps: f.gbps as number, bytes: f.bytes as number };
}

/** Datagrams dropped on full receive buffers in both namespaces while `work` runs. */
async function countingDrops<T>(nss: string[], work: () => Promise<T>) {
  const before = await Promise.all(nss.map(udpReceiveDrops));
  const value = await work();
  const after = await Promise.all(nss.map(udpReceiveDrops));
  return { value, drops: after.map((n, i) => n - (before[i] ?? 0)) };
}

function plainOpenvpnTarget(ratio: number): string {
  return `${ratio >= 0.95 ? 'met' : 'missed'}: >= 0.95 of the plain openvpn pair`;
}

/**
 * The baseline for the tunnel: a plain, tuned openvpn pair (data-path/plain-openvpn-pair.ts)
 * between the same two namespaces as the stack's tunnel (server in the gateway's, client in the
 * connector's), carrying the same measurement the same way: one TCP stream from the gateway's
 * namespace to the pair's client address, where the kernel forwards it to the bench app server
 * (the raw path's DNAT), so only the two openvpn processes and their options differ. The tunnel
 * and the pair take turns round by round, so other load on the machine falls on both alike;
 * the ratio compares the medians of these rounds.
 */
export async function plainOpenvpnFigures(
  o: PlainOpenvpnBaselineOptions,
): Promise<Record<string, number | string>> {
  const pair = await startPlainOpenvpn({
    serverNetns: o.gwNetns,
    serverHost: o.gwHost,
    clientNetns: o.popNetns,
    dir: o.dir,
  });
  try {
    const plain = { host: pair.clientAddress, port: o.rawPort };
    const forward = await setUpRawTunnel({
      netns: o.popNetns,
      tunnelAddress: pair.clientAddress,
      port: o.rawPort,
      app: o.app,
    });
    const tunnelGbps: number[] = [];
    const plainGbps: number[] = [];
    const pairedRatios: number[] = [];
    const drops = { tunnel: [0, 0], plain: [0, 0] };
    // The openvpn processes of each path: the pair's own, and the stack's in the same two
    // namespaces (the gateway's server and the connector's clients; the idle second tunnel's
    // client adds its pings only).
    const plainPids = [pair.server.pid, pair.client.pid];
    const tunnelPids = [
      ...(await openvpnPids(o.gwNetns)),
      ...(await openvpnPids(o.popNetns)),
    ].filter((pid) => !plainPids.includes(pid));
    const cpu = { tunnel: { seconds: 0, bytes: 0 }, plain: { seconds: 0, bytes: 0 } };
    const oneRound = async (path: 'tunnel' | 'plain', to: { host: string; port: number }) => {
      const counted = await countingDrops([o.popNetns, o.gwNetns], () =>
        cpuDuring(path === 'tunnel' ? tunnelPids : plainPids, () => bulk(o.gwNetns, to, o.seconds)),
      );
      counted.drops.forEach((n, i) => {
        drops[path][i] = (drops[path][i] ?? 0) + n;
      });
      cpu[path].seconds += counted.value.cpuSeconds;
      cpu[path].bytes += counted.value.value.bytes;
      return counted.value.value.gbps;
    };
    try {
      for (let r = 0; r < o.rounds; r++) {
        const t = await oneRound('tunnel', o.tunnel);
        const p = await oneRound('plain', plain);
        tunnelGbps.push(t);
        plainGbps.push(p);
        pairedRatios.push(t / p);
      }
    } finally {
      await forward.remove();
    }
    const iperfForward = await setUpRawTunnel({
      netns: o.popNetns,
      tunnelAddress: pair.clientAddress,
      port: o.iperfForwardPort,
      app: { host: o.app.host, port: o.iperfPort },
    });
    let iperf: number;
    try {
      iperf = await iperf3Gbps({
        serverNetns: o.appNetns,
        serverHost: o.app.host,
        serverPort: o.iperfPort,
        clientNetns: o.gwNetns,
        connectHost: pair.clientAddress,
        connectPort: o.iperfForwardPort,
        seconds: o.seconds,
      });
    } finally {
      await iperfForward.remove();
    }
    const plainMedian = round(median(plainGbps));
    const tunnelMedian = round(median(tunnelGbps));
    // Each tunnel round against the plain round right after it, the median of these ratios:
    // load from elsewhere on the machine drifts more slowly than a pair of rounds.
    const ratio = round(median(pairedRatios));
    const perGb = (c: { seconds: number; bytes: number }) => round(c.seconds / (c.bytes / 1e9), 2);
    return {
      plain_openvpn_gbps: plainMedian,
      plain_openvpn_gbps_spread: `${Math.min(...plainGbps)}-${Math.max(...plainGbps)}`,
      tunnel_beside_plain_openvpn_gbps: tunnelMedian,
      tunnel_beside_plain_openvpn_gbps_spread: `${Math.min(...tunnelGbps)}-${Math.max(...tunnelGbps)}`,
      tunnel_vs_plain_openvpn_throughput_ratio: ratio,
      tunnel_vs_plain_openvpn_target: plainOpenvpnTarget(ratio),
      plain_openvpn_iperf3_gbps: iperf,
      plain_openvpn_cpu_s_per_gb: perGb(cpu.plain),
      tunnel_openvpn_cpu_s_per_gb: perGb(cpu.tunnel),
      plain_openvpn_udp_drops_client_side: drops.plain[0] ?? 0,
      plain_openvpn_udp_drops_server_side: drops.plain[1] ?? 0,
      tunnel_beside_plain_openvpn_udp_drops_connector_side: drops.tunnel[0] ?? 0,
      tunnel_beside_plain_openvpn_udp_drops_gateway_side: drops.tunnel[1] ?? 0,
    };
  } finally {
    await pair.stop();
  }
}
