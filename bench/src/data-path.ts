#!/usr/bin/env node
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Stack, type StackApp, startStack } from '@pa-connector/e2e/dist/stack';
import { requireBinary, run, stopAll } from '@pa-connector/test-support';
import { option, positiveInteger } from './cli-args';
import { cpuProfilerEnv } from './cpu-profiler-env';
import { startAppServer } from './data-path/app-server-process';
import { connectionRate } from './data-path/connection-rate';
import { failover } from './data-path/failover';
import { groupFigures } from './data-path/group';
import { startHaproxy } from './data-path/haproxy-baseline';
import { heldConnections } from './data-path/held-connections';
import { iperf3Gbps } from './data-path/iperf3';
import { latency } from './data-path/latency';
import { PARTS, type Part, selectedParts } from './data-path/parts';
import { dataPaths, pipelined } from './data-path/paths';
import { round } from './data-path/percentiles';
import { plainOpenvpnFigures } from './data-path/plain-openvpn';
import { widenPortRange } from './data-path/port-range';
import { setUpRawTunnel } from './data-path/raw-tunnel';
import {
  connectionRateTarget,
  connectSetupTarget,
  failoverTarget,
  latencyTarget,
  pipelinedConnectionRateTarget,
  rssTarget,
  throughputTarget,
} from './data-path/targets';
import { throughput } from './data-path/throughput';
import { udpReceiveDrops } from './data-path/udp-drops';
import { vethCeiling } from './data-path/veth-ceiling';
/**
 * The data path, figures only: the e2e stack (emulator with two openvpn gateways in namespaces,
 * the connector in the pop namespace with its two tunnels and CONNECT proxy, app servers in their
 * namespaces) plus a bench app server in app1, measured from the gateway side: clients run in
 * gw1's namespace and connect to the connector's address on gw1's tunnel, so the user ingress
 * does not weigh on the comparison. Three paths to the same app server:
 *
 *   tunnel   raw: the kernel of the pop namespace forwards packets that come out of the tunnel
 *            to the app server (DNAT), no process in between (data-path/raw-tunnel.ts)
 *   proxy    the connector's CONNECT proxy (CONNECT, 200, then the same bytes)
 *   haproxy  Debian's haproxy in the connector's place: TCP frontend on the tunnel address
 *
 * Figures: bulk throughput gw1 -> app (median of rounds, paths taking turns), 1 KiB
 * request/response p50/p99, new connections per second, the connector's RSS with 10 000 proxied
 * connections held open, and failover (a gateway SIGKILLed, seconds until a user request through
 * the emulator's ingress succeeds through the other). The measuring tools' ceiling on plain veth
 * is measured first. The raw tunnel also takes turns with a plain, tuned openvpn pair between the
 * same namespaces (data-path/plain-openvpn.ts). Then a second stack with two connectors in one group (data-path/group.ts):
 * the request rate through the ingress with two connectors against one, a lost VM three ways,
 * and a drain under user load. `--parts` runs only some parts (throughput, latency, rate, rss,
 * failover, group; `--group-only` is `--parts group`); `--cpu-prof DIR` has the single connector
 * write a CPU profile there when it stops. Targets are printed beside the figures, never
 * asserted. Needs root, openvpn, redis-server, haproxy, iperf3, iptables and a built tree
 * (`pnpm build`).
 *
 *   pnpm exec tsc -b && node bench/dist/data-path.js [--seconds 4] [--rounds 5] [--held 10000]
 *     [--parts latency,rate] [--cpu-prof /tmp/prof]
 */
import { printFigures } from './print-figures';

export interface DataPathBenchOptions {
  /** Seconds of one bulk transfer (default 4). */
  seconds?: number;
  /** Rounds of throughput, latency and connection rate, the paths taking turns (default 5). */
  rounds?: number;
  /** Request/responses per path and round (default 2 000). */
  pings?: number;
  /** Proxied connections held open for the RSS figure (default 10 000). */
  held?: number;
  /** The parts to run (default: every one, see PARTS). */
  parts?: ReadonlySet<Part>;
  /**
   * Where the single connector writes a V8 CPU profile when it stops (cpu-profiler.ts);
   * read it with cpu-profile-top.js. Default: no profile.
   */
  cpuProfDir?: string;
}

/**
 * The connector with its shipped health and heartbeat intervals (the stack's short test intervals
 * would add work to its event loop), logging warnings only; the catalog is synced every 5 s
 * instead of 30 s so the bench's app arrives quickly. The gateways count a tunnel stale after
 * three missed health updates.
 */
const PRODUCTION_LIKE: Record<string, string> = {
  PA_LOG_LEVEL: 'warn',
  PA_CATALOG_INTERVAL: '5s',
  PA_HEALTH_INTERVAL: '5s',
  PA_HEALTH_TIMEOUT: '2s',
  PA_HEALTH_FAILURE_THRESHOLD: '3',
  PA_HEALTH_RECOVERY_THRESHOLD: '2',
  PA_HEALTH_UPDATE_INTERVAL: '5s',
  PA_HEARTBEAT_INTERVAL: '10s',
};

/** Three missed health updates of PRODUCTION_LIKE. */
const HEALTH_STALE = '15s';

const RAW_PORT = 7001;
const HAPROXY_PORT = 7002;
const IPERF_FORWARD_PORT = 7003;
const IPERF_PORT = 5201;
const BENCH_APP_PORT = 9000;
const PLAIN_OPENVPN_PORT = 7004;
const PLAIN_OPENVPN_IPERF_PORT = 7005;

/** The connector's address on the tunnel to the gateway in namespace `gw1`. */
async function tunnelAddressTowards(stack: Stack, gwNetns: string): Promise<string> {
  const own = await run('ip', ['-n', gwNetns, '-4', '-o', 'addr', 'show']);
  for (const t of Object.values(await stack.tunnels())) {
    if (t.phase !== 'connected' || !t.localAddress) continue;
    const gatewaySide = t.localAddress.replace(/\.\d+$/, '.1');
    if (own.includes(`inet ${gatewaySide}/`)) return t.localAddress;
  }
  throw new Error(`data-path bench: no connected tunnel ends in ${gwNetns}`);
}

async function addBenchApp(stack: Stack, server: { host: string; port: number }) {
  const app: StackApp = {
    id: 'bench',
    host: 'bench.demo.internal',
    port: BENCH_APP_PORT,
    address: `bench.demo.internal:${BENCH_APP_PORT}`,
    servers: [{ name: 'app1', host: server.host, port: server.port }],
  };
  await stack.admin('POST', `/admin/groups/${stack.groupId}/apps`, {
    id: app.id,
    name: 'Data-path bench app',
    host: app.host,
    port: app.port,
    servers: app.servers.map((s) => ({ host: s.host, port: s.port })),
    strategy: 'round-robin',
    healthCheck: { type: 'tcp' },
  });
  await stack.waitForApp(app, 'up', 2);
  return app;
}

export async function runDataPathBench(
  o: DataPathBenchOptions = {},
): Promise<Record<string, number | string>> {
  const say = (line: string) => process.stderr.write(`data-path: ${line}\n`);
  const parts = o.parts ?? new Set(PARTS);
  const single = PARTS.some((p) => p !== 'group' && parts.has(p))
    ? await oneConnector(o, parts, say)
    : {};
  const group = parts.has('group')
    ? await groupFigures({ connectorEnv: PRODUCTION_LIKE, healthStale: HEALTH_STALE, say })
    : {};
  return { ...single, ...group };
}

async function oneConnector(
  o: DataPathBenchOptions,
  parts: ReadonlySet<Part>,
  say: (line: string) => void,
): Promise<Record<string, number | string>> {
  for (const [bin, pkg] of [
    ['haproxy', 'haproxy'],
    ['iperf3', 'iperf3'],
    ['iptables', 'iptables'],
  ] as const) {
    requireBinary(bin, pkg);
  }
  const seconds = o.seconds ?? 4;
  const rounds = o.rounds ?? 5;
  const pings = o.pings ?? 2_000;
  const want = o.held ?? 10_000;

  say('measuring tools on plain veth');
  const ceiling = parts.has('throughput') ? await vethCeiling(3) : {};
  const profile = cpuProfilerEnv(o.cpuProfDir, 'connector');
  const stack = await startStack({
    connectorEnv: { ...PRODUCTION_LIKE, ...profile },
    healthStale: HEALTH_STALE,
    progress: (line) => say(line),
  });
  let dir: string | undefined;
  try {
    dir = mkdtempSync(join(tmpdir(), 'pa-bench-data-path-'));
    const gw1 = stack.topology.host('gw1');
    const pop = stack.topology.host('pop');
    const app1 = stack.topology.host('app1');
    for (const ns of [gw1.netns, pop.netns]) await widenPortRange(ns);
    const server = await startAppServer(app1.netns, app1.ipv4);
    const app = await addBenchApp(stack, server);
    const tunnelAddress = await tunnelAddressTowards(stack, gw1.netns);
    const proxyPort = Number(stack.connectorEnv.PA_PROXY_PORT ?? 3128);
    const raw = await setUpRawTunnel({
      netns: pop.netns,
      tunnelAddress,
      port: RAW_PORT,
      app: server,
    });
    const haproxy = await startHaproxy({
      netns: pop.netns,
      bindAddress: tunnelAddress,
      bindPort: HAPROXY_PORT,
      server,
      dir,
    });
    const paths = dataPaths({
      tunnelAddress,
      proxyPort,
      connectTarget: app.address,
      haproxyPort: HAPROXY_PORT,
      rawPort: RAW_PORT,
    });
    say(`paths from ${gw1.netns} to ${server.host}:${server.port} via ${tunnelAddress}`);

    const out: Record<string, number | string> = {};

    if (parts.has('throughput')) {
      say(`throughput: ${rounds} rounds of ${seconds} s per path, taking turns`);
      const dropsBefore = await Promise.all([pop.netns, gw1.netns].map(udpReceiveDrops));
      const gbps = await throughput(gw1.netns, paths, rounds, seconds);
      const dropsAfter = await Promise.all([pop.netns, gw1.netns].map(udpReceiveDrops));
      const drops = dropsAfter.map((n, i) => n - (dropsBefore[i] ?? 0));
      say('throughput of the raw tunnel with iperf3, for comparison');
      const iperfForward = await setUpRawTunnel({
        netns: pop.netns,
        tunnelAddress,
        port: IPERF_FORWARD_PORT,
        app: { host: app1.ipv4, port: IPERF_PORT },
      });
      const tunnelIperf = await iperf3Gbps({
        serverNetns: app1.netns,
        serverHost: app1.ipv4,
        serverPort: IPERF_PORT,
        clientNetns: gw1.netns,
        connectHost: tunnelAddress,
        connectPort: IPERF_FORWARD_PORT,
        seconds,
      });
      await iperfForward.remove();
      say(`the tunnel against a plain openvpn pair: ${rounds} rounds each, taking turns`);
      const plain = await plainOpenvpnFigures({
        gwNetns: gw1.netns,
        gwHost: gw1.ipv4,
        popNetns: pop.netns,
        app: server,
        appNetns: app1.netns,
        tunnel: { host: tunnelAddress, port: RAW_PORT },
        rawPort: PLAIN_OPENVPN_PORT,
        iperfForwardPort: PLAIN_OPENVPN_IPERF_PORT,
        iperfPort: IPERF_PORT,
        rounds,
        seconds,
        dir: mkdtempSync(join(dir, 'plain-openvpn-')),
      });
      const proxyRatio = round(gbps.proxy.gbps / gbps.tunnel.gbps);
      const haproxyRatio = round(gbps.haproxy.gbps / gbps.tunnel.gbps);
      Object.assign(out, {
        tunnel_gbps: gbps.tunnel.gbps,
        tunnel_gbps_spread: gbps.tunnel.spread,
        proxy_gbps: gbps.proxy.gbps,
        proxy_gbps_spread: gbps.proxy.spread,
        haproxy_gbps: gbps.haproxy.gbps,
        haproxy_gbps_spread: gbps.haproxy.spread,
        proxy_vs_tunnel_throughput_ratio: proxyRatio,
        proxy_vs_tunnel_throughput_ratio_target: throughputTarget(proxyRatio, haproxyRatio),
        haproxy_vs_tunnel_throughput_ratio: haproxyRatio,
        tunnel_iperf3_gbps: tunnelIperf,
        tunnel_udp_drops_connector_side: drops[0] ?? 0,
        tunnel_udp_drops_gateway_side: drops[1] ?? 0,
        ...plain,
      });
    }

    if (parts.has('latency')) {
      say(`latency: ${rounds} rounds of ${pings} 1 KiB request/responses per path, interleaved`);
      const lat = await latency(gw1.netns, paths, rounds, pings);
      const added = round(lat.proxy.p99_ms - lat.tunnel.p99_ms);
      const haproxyAdded = round(lat.haproxy.p99_ms - lat.tunnel.p99_ms);
      Object.assign(out, {
        tunnel_p50_ms: lat.tunnel.p50_ms,
        tunnel_p99_ms: lat.tunnel.p99_ms,
        proxy_p50_ms: lat.proxy.p50_ms,
        proxy_p99_ms: lat.proxy.p99_ms,
        haproxy_p50_ms: lat.haproxy.p50_ms,
        haproxy_p99_ms: lat.haproxy.p99_ms,
        added_latency_p50_ms: round(lat.proxy.p50_ms - lat.tunnel.p50_ms),
        added_latency_p99_ms: added,
        added_latency_p99_ms_target: latencyTarget(added, haproxyAdded),
        haproxy_added_latency_p99_ms: haproxyAdded,
      });
    }

    if (parts.has('rss')) {
      say(`connector RSS with ${want} proxied connections`);
      const proxyPath = paths.find((p) => p.name === 'proxy');
      if (!proxyPath) throw new Error('data-path bench: no proxy path');
      const mem = await heldConnections({
        netns: gw1.netns,
        clientArgs: proxyPath.clientArgs,
        connectorPid: stack.connector.process.pid,
        want,
      });
      Object.assign(out, {
        rss_idle_mb: mem.rss_idle_mb,
        rss_10k_mb: mem.rss_want_mb,
        rss_10k_mb_target: rssTarget(mem.rss_want_mb),
        rss_10k_basis: mem.basis,
        rss_per_connection_kib: mem.per_connection_kib,
      });
    }

    if (parts.has('rate')) {
      say('new connections per second');
      const proxyPath = paths.find((p) => p.name === 'proxy');
      if (!proxyPath) throw new Error('data-path bench: no proxy path');
      const ratePaths = [...paths, pipelined(proxyPath)];
      const rate = await connectionRate(gw1.netns, ratePaths, rounds, 2, 16, {
        path: 'proxy',
        pid: stack.connector.process.pid,
      });
      const setupRatio = round(rate.proxy.setup_p99_ms / rate.haproxy.setup_p99_ms);
      Object.assign(out, {
        tunnel_connections_per_s: rate.tunnel.per_second,
        proxy_connections_per_s: rate.proxy.per_second,
        haproxy_connections_per_s: rate.haproxy.per_second,
        proxy_connections_per_s_target: connectionRateTarget(
          rate.proxy.per_second,
          rate.haproxy.per_second,
        ),
        proxy_pipelined_connections_per_s: rate.proxy_pipelined.per_second,
        proxy_pipelined_connections_per_s_target: pipelinedConnectionRateTarget(
          rate.proxy_pipelined.per_second,
          rate.haproxy.per_second,
        ),
        proxy_pipelined_connect_setup_p99_ms: rate.proxy_pipelined.setup_p99_ms,
        tunnel_connect_setup_p50_ms: rate.tunnel.setup_p50_ms,
        tunnel_connect_setup_p99_ms: rate.tunnel.setup_p99_ms,
        proxy_connect_setup_p50_ms: rate.proxy.setup_p50_ms,
        proxy_connect_setup_p99_ms: rate.proxy.setup_p99_ms,
        haproxy_connect_setup_p50_ms: rate.haproxy.setup_p50_ms,
        haproxy_connect_setup_p99_ms: rate.haproxy.setup_p99_ms,
        proxy_vs_haproxy_connect_setup_p99_ratio: setupRatio,
        proxy_cpu_ms_per_connection: rate.proxy.cpu_ms_per_connection ?? 'n/a',
        connect_setup_target: connectSetupTarget(setupRatio),
        connection_errors: ratePaths.reduce((n, p) => n + rate[p.name].errors, 0),
      });
    }
    await haproxy.stop();
    await raw.remove();

    if (parts.has('failover')) {
      say('failover: killing a gateway');
      const [killed, survivor] = stack.gateways as [string, string];
      const fo = await failover({
        killed,
        survivor,
        request: () => stack.request('/'),
        killGateway: (name) => stack.killGateway(name),
        carriedBy: async (gateway) =>
          (await stack.ingressStats()).tunnels
            .filter((t) => t.gateway === gateway)
            .reduce((n, t) => n + t.carried, 0),
      });
      Object.assign(out, {
        failover_s: fo.failover_s,
        failover_s_target: failoverTarget(fo.failover_s),
        failover_failed_requests: fo.failed_requests,
        failover_later_ok: fo.later_ok,
      });
    }
    return { ...out, ...ceiling, bulk_seconds: seconds, rounds };
  } finally {
    await stopAll();
    await stack.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const cpuProf = option('cpu-prof');
  void printFigures('data-path', () =>
    runDataPathBench({
      seconds: positiveInteger('seconds', 4),
      rounds: positiveInteger('rounds', 5),
      pings: positiveInteger('pings', 2_000),
      held: positiveInteger('held', 10_000),
      parts: selectedParts(option('parts'), option('group-only') === true),
      ...(typeof cpuProf === 'string' ? { cpuProfDir: resolve(cpuProf) } : {}),
    }),
  );
}
