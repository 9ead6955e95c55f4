import { isIP } from 'node:net';
import { isHostname } from '@pa-connector/config';
import { freePort } from './free-port';
import { spawnTracked, type TrackedProcess } from './processes';
import { requireBinary } from './require-binary';

export interface DnsServerOptions {
  /** Name -> its addresses (IPv4 and/or IPv6). Every other name is NXDOMAIN. */
  records: Record<string, string[]>;
  /**
   * Run inside this network namespace, on `listenAddress` port 53, for clients in other
   * namespaces (through veth routes). Without it: 127.0.0.1 on a free port.
   */
  netns?: string;
  /** The address to listen on inside `netns` (one of its own). */
  listenAddress?: string;
}

export interface TestDnsServer {
  /** `127.0.0.1:<port>` or `<listenAddress>` (port 53): what a resolver's server list takes. */
  server: string;
  address: string;
  port: number;
  process: TrackedProcess;
  /** The names asked so far, in order (`query[A] name`), to check a lookup went through it. */
  queries(): string[];
  stop(): Promise<void>;
}

/**
 * A real DNS server (dnsmasq) that answers only the names it is given: no upstream, no
 * /etc/hosts, NXDOMAIN for anything else. So the names a test uses (the cloud's gateway
 * hostnames, say) go through real resolution and never reach the machine's own resolver.
 */
export async function startDnsServer(opts: DnsServerOptions): Promise<TestDnsServer> {
  const bin = requireBinary('dnsmasq', 'dnsmasq-base');
  if (opts.netns !== undefined && opts.listenAddress === undefined) {
    throw new Error('startDnsServer: netns needs listenAddress (an address of that namespace)');
  }
  const address = opts.listenAddress ?? '127.0.0.1';
  if (!isIP(address)) throw new Error(`startDnsServer: "${address}" is not an IP address`);
  const port = opts.netns ? 53 : await freePort();
  const args = [
    '--keep-in-foreground',
    '--conf-file=/dev/null',
    '--no-resolv',
    '--no-hosts',
    '--bind-interfaces',
    `--listen-address=${address}`,
    `--port=${port}`,
    '--log-queries',
    '--log-facility=-',
    '--pid-file=',
    // Every name not below is answered here, as NXDOMAIN: nothing is forwarded anywhere.
    '--local=/#/',
    ...Object.entries(opts.records).map(([name, addresses]) => {
      if (!isHostname(name)) throw new Error(`startDnsServer: "${name}" is not a hostname`);
      if (addresses.length === 0 || !addresses.every((a) => isIP(a))) {
        throw new Error(`startDnsServer: ${name} needs one or more IP addresses`);
      }
      return `--host-record=${[name, ...addresses].join(',')}`;
    }),
  ];
  const proc = opts.netns
    ? spawnTracked('ip', ['netns', 'exec', opts.netns, bin, ...args])
    : spawnTracked(bin, args);
  await Promise.race([
    proc.waitForLine(/^dnsmasq\[\d+\]: started, version/, 10_000),
    proc.exited.then((code) => {
      throw new Error(`dnsmasq exited (${code}): ${proc.lines.slice(-5).join(' | ')}`);
    }),
  ]);
  return {
    server: opts.netns ? address : `${address}:${port}`,
    address,
    port,
    process: proc,
    queries: () =>
      proc.lines.flatMap((l) => {
        const m = /: (query\[[A-Z]+\] \S+) from /.exec(l);
        return m ? [m[1] as string] : [];
      }),
    async stop() {
      await proc.stop();
    },
  };
}
