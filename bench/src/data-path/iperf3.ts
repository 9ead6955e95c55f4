import { requireBinary, spawnTracked } from '@pa-connector/test-support';
import { waitListening } from './listening';
import { round } from './percentiles';

export interface Iperf3Run {
  /** Where the server runs and the address it listens on. */
  serverNetns: string;
  serverHost: string;
  serverPort: number;
  /** Where the client runs and what it connects to (the server, or a forward to it). */
  clientNetns: string;
  connectHost: string;
  connectPort: number;
  seconds: number;
}

/** One iperf3 TCP stream (default settings): Gbit/s received, from the client's JSON report. */
export async function iperf3Gbps(o: Iperf3Run): Promise<number> {
  const iperf3 = requireBinary('iperf3', 'iperf3');
  const inNs = (ns: string, args: string[]) =>
    spawnTracked('ip', ['netns', 'exec', ns, iperf3, ...args]);
  const server = inNs(o.serverNetns, ['-s', '-1', '-B', o.serverHost, '-p', String(o.serverPort)]);
  try {
    await waitListening(o.serverNetns, o.serverHost, o.serverPort, 'iperf3 server');
    const client = inNs(o.clientNetns, [
      ...['-c', o.connectHost, '-p', String(o.connectPort)],
      ...['-t', String(o.seconds), '-J'],
    ]);
    const code = await client.exited;
    await client.stop();
    const report = JSON.parse(client.lines.join('\n')) as {
      error?: string;
      end?: { sum_received?: { bits_per_second?: number } };
    };
    const bps = report.end?.sum_received?.bits_per_second;
    if (code !== 0 || bps === undefined)
      throw new Error(`iperf3 to ${o.connectHost}:${o.connectPort}: ${report.error ?? code}`);
    return round(bps / 1e9);
  } finally {
    await server.stop();
  }
}
