import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopAll, Topology } from '@pa-connector/test-support';
import { startAppServer } from './app-server-process';
import { startHaproxy } from './haproxy-baseline';
import { iperf3Gbps } from './iperf3';
import { measure } from './netns-process';
import { setUpRawTunnel } from './raw-tunnel';

/**
 * What the measuring tools reach on plain veth (no tunnel): iperf3 against the node bulk sender,
 * the ping-pong p99, and the same through the raw forward and haproxy, to show that the figures
 * through the tunnel are the tunnel's and the proxy's, not the tools'.
 */
export async function vethCeiling(seconds: number): Promise<Record<string, number>> {
  const topo = await Topology.create({ roles: ['gw', 'mid', 'app'] });
  const dir = mkdtempSync(join(tmpdir(), 'pa-bench-veth-'));
  try {
    const [gw, mid, app] = [topo.host('gw'), topo.host('mid'), topo.host('app')];
    const server = await startAppServer(app.netns, app.ipv4);
    const iperfGbps = await iperf3Gbps({
      serverNetns: app.netns,
      serverHost: app.ipv4,
      serverPort: 5201,
      clientNetns: gw.netns,
      connectHost: app.ipv4,
      connectPort: 5201,
      seconds,
    });
    const direct = ['--host', app.ipv4, '--port', String(server.port)];
    const bulk = await measure(gw.netns, [
      '--mode',
      'bulk',
      '--seconds',
      String(seconds),
      ...direct,
    ]);
    const ping = (await measure(gw.netns, ['--mode', 'pingpong', '--count', '2000', ...direct]))
      .target as { p99_ms: number };

    const raw = await setUpRawTunnel({
      netns: mid.netns,
      tunnelAddress: mid.ipv4,
      port: 7001,
      app: { host: app.ipv4, port: server.port },
    });
    const viaRaw = ['--host', mid.ipv4, '--port', '7001'];
    const rawBulk = await measure(gw.netns, [
      '--mode',
      'bulk',
      '--seconds',
      String(seconds),
      ...viaRaw,
    ]);
    await raw.remove();
    const haproxy = await startHaproxy({
      netns: mid.netns,
      bindAddress: mid.ipv4,
      bindPort: 7002,
      server: { host: app.ipv4, port: server.port },
      dir,
    });
    const viaHaproxy = ['--host', mid.ipv4, '--port', '7002'];
    const hBulk = await measure(gw.netns, [
      '--mode',
      'bulk',
      '--seconds',
      String(seconds),
      ...viaHaproxy,
    ]);
    await haproxy.stop();
    return {
      veth_iperf3_gbps: iperfGbps,
      veth_node_bulk_gbps: bulk.gbps as number,
      veth_node_pingpong_p99_ms: ping.p99_ms as number,
      veth_raw_forward_bulk_gbps: rawBulk.gbps as number,
      veth_haproxy_bulk_gbps: hBulk.gbps as number,
    };
  } finally {
    await stopAll();
    await topo.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}
