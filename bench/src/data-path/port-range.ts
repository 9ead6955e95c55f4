import { run } from '@pa-connector/test-support';

/**
 * Lets a namespace open tens of thousands of connections to one address in a minute: a wider
 * local port range and reuse of TIME_WAIT ports for new outgoing connections. The held
 * connections and the connection-rate rounds together go past the default 28 000 ports.
 * Both settings belong to the namespace (created for this run).
 */
export async function widenPortRange(netns: string): Promise<void> {
  for (const s of ['net.ipv4.ip_local_port_range=10000 65000', 'net.ipv4.tcp_tw_reuse=1']) {
    await run('ip', ['netns', 'exec', netns, 'sysctl', '-q', '-w', s]);
  }
}
