import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  expectNoUnhandledRejections,
  freePort,
  type Host,
  repoRoot,
  requireBinary,
  requireRoot,
  startTcpRelay,
  type TcpRelay,
  Topology,
} from '@pa-connector/test-support';
import { adminCall, type StackEmulator, startStackEmulator } from './emulator';
import { getJson, waitUntil } from './http';
import { requestThroughIngress } from './ingress-client';
import { type LoggedProcess, startLogged } from './logged-process';
import { connectFromNamespace } from './namespace-connect';
import { restartStackRedis, type StackRedis, startStackRedis } from './redis';
import { readAppHealth } from './redis-read';
import { SAMPLE_APP_SOURCE } from './sample-app';
import type {
  IngressStats,
  SideService,
  Stack,
  StackApp,
  StackOptions,
  StackService,
  TunnelDetail,
} from './stack-types';

const APP_PORT = 8080;
const CONNECTOR_HTTP_PORT = 8080;
const POP = 'demo';

/** Fresh health update of one connector over one tunnel, as a gateway's admin view shows it. */
interface GatewayHealth {
  stale: boolean;
  body: { proxyPort?: number; apps?: Array<{ id: string; state: string }> };
}

function built(root: string, rel: string): string {
  const path = join(root, rel);
  if (!existsSync(path)) throw new Error(`${path} is missing: run "pnpm build" first`);
  return path;
}

/**
 * Last-resort clean-up when the owner exits without stop() (process.exit, an uncaught error):
 * SIGKILL by PID whatever runs in the run's namespaces, delete them and the root's veth. `exit`
 * handlers must be synchronous, hence the *Sync calls.
 */
function destroyTopologySync(t: Topology): void {
  const quiet = { stdio: 'pipe' as const, encoding: 'utf8' as const, timeout: 5_000 };
  for (const ns of [...[...t.hosts.values()].map((h) => h.netns), t.hub]) {
    try {
      for (const pid of execFileSync('ip', ['netns', 'pids', ns], quiet).split('\n')) {
        if (/^\d+$/.test(pid.trim())) process.kill(Number(pid), 'SIGKILL');
      }
    } catch {
      // gone already
    }
    try {
      execFileSync('ip', ['netns', 'del', ns], quiet);
    } catch {
      // gone already
    }
  }
  if (t.root) {
    try {
      execFileSync('ip', ['link', 'del', t.root.link], quiet);
    } catch {
      // gone with the hub
    }
  }
}

/**
 * Polls `check` every 250 ms until it returns a value; fails at once when `p` exits, or after
 * `timeoutMs`, either way with `p`'s last lines.
 */
async function pollWhileRunning<T>(
  p: LoggedProcess,
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  const lastLines = () => `; see ${p.logFile}; last lines:\n${p.tail().join('\n')}`;
  while (Date.now() < deadline) {
    signal?.throwIfAborted();
    if (!p.running()) {
      throw new Error(
        `${p.name} exited (${await p.exited}) while waiting for ${what}${lastLines()}`,
      );
    }
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(
    `${what} did not happen within ${timeoutMs / 1000}s${last ? ` (${String(last)})` : ''}${lastLines()}`,
  );
}

/** Starts the whole stack; on any failure it tears down what it had started and rethrows. */
export async function startStack(o: StackOptions = {}): Promise<Stack> {
  requireRoot('the stack creates network namespaces, tun devices and openvpn processes');
  const ip = requireBinary('ip', 'iproute2');
  requireBinary('openvpn', 'openvpn');
  requireBinary('redis-server', 'redis-server');
  const root = repoRoot();
  const mains = {
    emulator: built(root, 'packages/sse-emulator/dist/cli.js'),
    connector: built(root, 'services/connector/dist/main.js'),
    logging: built(root, 'services/logging/dist/main.js'),
    update: built(root, 'services/update/dist/main.js'),
    'pop-manager': built(root, 'services/pop-manager/dist/main.js'),
  };
  const progress = o.progress ?? (() => undefined);
  // Every step reports progress: an abort (Ctrl-C while starting) is noticed there.
  const say = (line: string) => {
    o.signal?.throwIfAborted();
    progress(line);
  };
  const timeoutMs = (o.timeoutSeconds ?? 90) * 1000;
  const parent = o.parentDir ?? tmpdir();
  mkdirSync(parent, { recursive: true, mode: 0o700 });
  const runDir = mkdtempSync(join(parent, 'pa-stack-'));
  const logDir = join(runDir, 'logs');
  let logDirMounted = false;
  const relays: TcpRelay[] = [];

  const procs: LoggedProcess[] = [];
  let topology: Topology | undefined;
  const appServers = new Map<number, LoggedProcess>();
  let stopped = false;
  const onExit = () => {
    if (topology) destroyTopologySync(topology);
    if (logDirMounted) execFileSync('umount', [logDir], { stdio: 'pipe', timeout: 5_000 });
    if (!o.keepRunDir) rmSync(runDir, { recursive: true, force: true });
  };
  process.once('exit', onExit);
  // Services whose /metrics are read before they stop: any unhandled rejection fails stop().
  const watched: Array<{ name: string; url: string; process: () => LoggedProcess }> = [];
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    process.off('exit', onExit);
    const faults = (
      await Promise.all(
        watched
          .filter((w) => w.process().running())
          .map((w) =>
            expectNoUnhandledRejections(w.name, w.url, () => w.process().tail(200)).then(
              () => undefined,
              (err: unknown) => err,
            ),
          ),
      )
    ).filter((e) => e !== undefined);
    // Services first (they report to the connector), then the connector (its SIGTERM drains the
    // proxy and stops its openvpn children), then the cloud side and Redis.
    const order = ['pop-manager', 'update', 'logging', 'connector', 'app1', 'app2', 'emulator'];
    for (const name of order) {
      await Promise.all(procs.filter((p) => p.name === name).map((p) => p.stop()));
    }
    await Promise.all(procs.map((p) => p.stop()));
    await Promise.all(relays.map((r) => r.close()));
    if (logDirMounted) execFileSync('umount', [logDir], { stdio: 'pipe', timeout: 10_000 });
    logDirMounted = false;
    await topology?.destroy();
    if (!o.keepRunDir) rmSync(runDir, { recursive: true, force: true });
    if (faults.length > 0) throw faults[0];
  };

  try {
    topology = await Topology.create({
      roles: ['gw1', 'gw2', 'pop', 'app1', 'app2'],
      attachRoot: true,
    });
    const topo = topology;
    const rootAddr = topo.root as { ipv4: string; ipv6: string };
    const runId = topo.runId;
    say(
      `network: namespaces ${[...topo.hosts.values()].map((h) => h.netns).join(', ')}; root ${rootAddr.ipv4}`,
    );

    const redis: StackRedis = await startStackRedis(runDir, rootAddr.ipv4, `stack-${runId}:`);
    procs.push(redis.process);
    say(`redis: 127.0.0.1:${redis.port} and ${rootAddr.ipv4}:${redis.port}`);
    // With relays the services get the relays' addresses; the password is the same.
    let redisUrl = redis.url;
    let redisBridgeUrl = redis.bridgeUrl;
    if (o.redisRelay) {
      const target = { host: '127.0.0.1', port: redis.port };
      const [local, bridge] = [
        await startTcpRelay(target),
        await startTcpRelay(target, rootAddr.ipv4),
      ];
      relays.push(local, bridge);
      redisUrl = `redis://${local.host}:${local.port}`;
      redisBridgeUrl = `redis://${bridge.host}:${bridge.port}`;
      say(`redis relays: ${local.host}:${local.port} and ${bridge.host}:${bridge.port}`);
    }
    if (o.logDirTmpfsMb !== undefined) {
      mkdirSync(logDir, { mode: 0o700 });
      const opts = `size=${o.logDirTmpfsMb}m,mode=0700`;
      execFileSync('mount', ['-t', 'tmpfs', '-o', opts, 'tmpfs', logDir], { stdio: 'pipe' });
      logDirMounted = true;
      say(`logging: ${logDir} on a ${o.logDirTmpfsMb} MiB tmpfs`);
    }

    const family = o.gatewayFamily ?? 'ipv4';
    const transport = o.transport ?? 'udp';
    const gwAddr = (h: Host) => (family === 'ipv6' ? `[${h.ipv6}]` : h.ipv4);
    const [gw1, gw2] = [topo.host('gw1'), topo.host('gw2')];
    const emulator: StackEmulator = await startStackEmulator({
      root,
      runDir,
      sseHost: rootAddr.ipv4,
      pop: `${POP}=${gwAddr(gw1)}:1194/${transport}@${gw1.netns},${gwAddr(gw2)}:1194/${transport}@${gw2.netns}`,
      healthStale: o.healthStale ?? '5s',
      ...(o.emulatorArgs ? { extraArgs: o.emulatorArgs } : {}),
    });
    procs.push(emulator.process);
    const admin = <T>(method: string, path: string, body?: unknown) =>
      adminCall<T>(emulator.adminUrl, method, path, body);
    const gateways = (await admin<Array<{ name: string }>>('GET', '/admin/gateways')).map(
      (g) => g.name,
    );
    say(
      `emulator: SSE ${emulator.sseUrl}, admin ${emulator.adminUrl}, ingress ${emulator.ingressUrl}, gateways ${gateways.join(', ')} (${transport})`,
    );

    // The sample app servers, one per app namespace.
    const startAppServer = async (n: 1 | 2) => {
      const name = `app${n}`;
      const p = startLogged(runDir, name, ip, [
        ...['netns', 'exec', topo.host(name).netns, process.execPath, '-e', SAMPLE_APP_SOURCE],
        ...[name, String(APP_PORT)],
      ]);
      procs.push(p);
      appServers.set(n, p);
      await p.waitForLine(/^listening$/, 15_000);
    };
    await startAppServer(1);
    await startAppServer(2);
    const [app1, app2] = [topo.host('app1'), topo.host('app2')];
    const apps = {
      web: {
        id: 'web',
        host: 'web.demo.internal',
        port: 80,
        address: 'web.demo.internal:80',
        servers: [
          { name: 'app1', host: app1.ipv4, port: APP_PORT },
          { name: 'app2', host: app2.ipv4, port: APP_PORT },
        ],
      },
      web6: {
        id: 'web6',
        host: 'web6.demo.internal',
        port: 80,
        address: 'web6.demo.internal:80',
        servers: [{ name: 'app1', host: app1.ipv6, port: APP_PORT }],
      },
    } satisfies Record<string, StackApp>;

    // The cloud: a group with the apps, and a one-use provisioning key in a 0600 file.
    const group = await admin<{ id: string }>('POST', '/admin/groups', { name: `demo-${runId}` });
    await admin('PUT', `/admin/groups/${group.id}/apps`, [
      {
        id: apps.web.id,
        name: 'Sample web app',
        host: apps.web.host,
        port: apps.web.port,
        servers: apps.web.servers.map((s) => ({ host: s.host, port: s.port })),
        strategy: 'round-robin',
        healthCheck: { type: 'http', path: '/', expectStatus: 200 },
      },
      {
        id: apps.web6.id,
        name: 'Sample web app over IPv6',
        host: apps.web6.host,
        port: apps.web6.port,
        servers: apps.web6.servers.map((s) => ({ host: s.host, port: s.port })),
        strategy: 'round-robin',
        healthCheck: { type: 'http', path: '/', expectStatus: 200 },
      },
    ]);
    const key = await admin<{ id: string; key: string }>('POST', `/admin/groups/${group.id}/keys`, {
      maxUses: 1,
    });
    const keyFile = join(runDir, 'provisioning.key');
    writeFileSync(keyFile, `${key.key}\n`, { mode: 0o600 });
    say(
      `cloud: group ${group.id} with apps web, web6; one-use provisioning key ${key.id} in ${keyFile}`,
    );

    // The connector, inside the pop namespace with its openvpn children and proxy.
    const pop = topo.host('pop');
    const dataDir = join(runDir, 'connector-data');
    const connectorEnv: Record<string, string> = {
      PA_HOSTNAME: `pop-${runId}`,
      PA_HTTP_HOST: pop.ipv4,
      PA_HTTP_PORT: String(CONNECTOR_HTTP_PORT),
      PA_REDIS_URL: redisBridgeUrl,
      PA_REDIS_PASSWORD_FILE: redis.passwordFile,
      PA_REDIS_PREFIX: redis.prefix,
      PA_SSE_URLS: emulator.sseUrl,
      PA_SSE_CA_FILE: emulator.caCertPath,
      PA_PROVISIONING_KEY_FILE: keyFile,
      PA_DATA_DIR: dataDir,
      PA_TUNNEL_RUN_DIR: join(runDir, 'tunnels'),
      PA_HEARTBEAT_INTERVAL: '2s',
      PA_CATALOG_INTERVAL: '5s',
      PA_HEALTH_INTERVAL: '500ms',
      PA_HEALTH_TIMEOUT: '400ms',
      PA_HEALTH_FAILURE_THRESHOLD: '2',
      PA_HEALTH_RECOVERY_THRESHOLD: '1',
      PA_HEALTH_UPDATE_INTERVAL: '1s',
      PA_PROXY_DRAIN_GRACE: '5s',
      ...o.connectorEnv,
    };
    const startConnector = () => {
      const p = startLogged(
        runDir,
        'connector',
        ip,
        ['netns', 'exec', pop.netns, process.execPath, mains.connector],
        connectorEnv,
      );
      procs.push(p);
      return p;
    };
    let connectorProc = startConnector();
    const connectorUrl = `http://${pop.ipv4}:${connectorEnv.PA_HTTP_PORT}`;
    say(`connector: started in ${pop.netns}, status on ${connectorUrl}`);

    const tunnels = async (): Promise<Record<string, TunnelDetail>> => {
      try {
        const r = await getJson(`${connectorUrl}/ready`);
        const body = r.body as {
          checks?: { tunnels?: { detail?: { tunnels?: Record<string, TunnelDetail> } } };
        };
        return body.checks?.tunnels?.detail?.tunnels ?? {};
      } catch {
        return {};
      }
    };
    const waitForTunnels = (count = 2, ms = timeoutMs) =>
      pollWhileRunning(
        connectorProc,
        `${count} connected tunnels`,
        async () => {
          const t = await tunnels();
          const up = Object.values(t).filter((v) => v.phase === 'connected').length;
          return up >= count ? t : undefined;
        },
        ms,
        o.signal,
      );
    await waitForTunnels(2);
    const identity = (await getJson(`${connectorUrl}/ready`)).body as unknown;
    const connectors = await admin<Array<{ id: string; hostname: string }>>(
      'GET',
      '/admin/connectors',
    );
    const connectorId = connectors.find((c) => c.hostname === connectorEnv.PA_HOSTNAME)?.id;
    if (!connectorId)
      throw new Error(
        `the cloud does not list connector pop-${runId}: ${JSON.stringify(identity).slice(0, 200)}`,
      );
    say(`connector: enrolled as ${connectorId}, both tunnels up`);

    // The other services, in the root namespace.
    const services: Partial<Record<SideService, StackService>> = {};
    const serviceEnvs = new Map<SideService, Record<string, string>>();
    const startService = (name: SideService) => {
      const p = startLogged(runDir, name, process.execPath, [mains[name]], serviceEnvs.get(name));
      procs.push(p);
      return p;
    };
    for (const name of o.services ?? []) {
      const port = await freePort();
      const env: Record<string, string> = {
        PA_HTTP_HOST: '127.0.0.1',
        PA_HTTP_PORT: String(port),
        PA_REDIS_URL: redisUrl,
        PA_REDIS_PASSWORD_FILE: redis.passwordFile,
        PA_REDIS_PREFIX: redis.prefix,
        PA_HEARTBEAT_INTERVAL: '2s',
        ...(name === 'logging' ? { PA_LOG_DIR: logDir } : {}),
        ...(name === 'update' || name === 'pop-manager' ? { PA_CONNECTOR_URL: connectorUrl } : {}),
      };
      serviceEnvs.set(name, env);
      services[name] = { name, url: `http://127.0.0.1:${port}`, process: startService(name) };
    }
    const connector = {
      name: 'connector',
      url: connectorUrl,
      process: connectorProc,
      dataDir,
      host: pop,
      connectorId,
    };
    watched.push({ name: 'connector', url: connectorUrl, process: () => connector.process });
    for (const s of Object.values(services)) {
      watched.push({ name: s.name, url: s.url, process: () => s.process });
    }
    const restartConnector: Stack['restartConnector'] = async ({ signal = 'SIGTERM' } = {}) => {
      await expectNoUnhandledRejections('connector', connectorUrl, () =>
        connector.process.tail(200),
      );
      // compose's stop_grace_period: the connector's own stop timeout ends it sooner.
      await connector.process.stop(90_000, signal);
      connectorProc = startConnector();
      connector.process = connectorProc;
      await waitForTunnels(2);
      await pollWhileRunning(
        connectorProc,
        'connector /ready 200 after its restart',
        async () => ((await getJson(`${connectorUrl}/ready`)).status === 200 ? true : undefined),
        timeoutMs,
        o.signal,
      );
    };
    const serviceReady = (s: StackService, what = '') =>
      pollWhileRunning(
        s.process,
        `${s.name} /ready 200${what}`,
        async () => ((await getJson(`${s.url}/ready`)).status === 200 ? true : undefined),
        timeoutMs,
        o.signal,
      );
    for (const s of [connector, ...Object.values(services)]) await serviceReady(s);
    const restartService = async (name: SideService, signal: NodeJS.Signals = 'SIGTERM') => {
      const s = services[name];
      if (!s) throw new Error(`the stack runs no ${name}`);
      await s.process.stop(8_000, signal);
      s.process = startService(name);
      await serviceReady(s, ' after its restart');
    };
    const restartRedis = async () => {
      procs.push(await restartStackRedis(runDir, redis));
    };
    if (o.services?.length) say(`services: ${o.services.join(', ')} ready`);

    const waitForApp = async (app: StackApp, state = 'up', count = 2, ms = timeoutMs) => {
      await waitUntil(
        `${count} tunnels reporting ${app.id} ${state}`,
        async () => {
          if (o.signal?.aborted) return true;
          let n = 0;
          for (const g of gateways) {
            const v = await admin<{ health?: GatewayHealth[] }>('GET', `/admin/gateways/${g}`);
            for (const h of v.health ?? []) {
              if (h.stale || !h.body.proxyPort) continue;
              if (h.body.apps?.some((a) => a.id === app.id && a.state === state)) n += 1;
            }
          }
          return n >= count ? true : undefined;
        },
        ms,
      );
    };
    const ingressHost = new URL(emulator.ingressUrl).hostname;
    const proxyPort = Number(connectorEnv.PA_PROXY_PORT ?? 3128);

    const stack: Stack = {
      runId,
      runDir,
      topology: topo,
      rootAddress: rootAddr,
      redis,
      emulator,
      gateways,
      groupId: group.id,
      connector,
      services,
      redisUrl,
      logDir,
      ...(relays.length
        ? {
            redisRelay: {
              pause: () => {
                for (const r of relays) r.pause();
              },
              resume: () => {
                for (const r of relays) r.resume();
              },
            },
          }
        : {}),
      apps,
      connectorEnv,
      request: (path = '/', app = apps.web) =>
        requestThroughIngress(ingressHost, emulator.ingressPort, app.address, path),
      tunnels,
      waitForTunnels,
      waitForApp,
      ingressStats: () => admin<IngressStats>('GET', '/admin/ingress'),
      killGateway: async (name) => {
        await admin('POST', `/admin/gateways/${name}/kill`);
      },
      startGateway: async (name) => {
        await admin('POST', `/admin/gateways/${name}/start`);
      },
      stopAppServer: async (n) => {
        await appServers.get(n)?.stop();
      },
      startAppServer,
      appHealth: (app) => readAppHealth(redis, app.id),
      proxyPort,
      connectFromGateway: async (gateway, target, slow = false) => {
        const i = gateways.indexOf(gateway);
        if (i < 0) throw new Error(`no gateway ${gateway} (have ${gateways.join(', ')})`);
        const t = Object.values(await tunnels()).find((v) => v.gateway === gateway);
        if (!t?.localAddress || t.phase !== 'connected') {
          throw new Error(`the connector has no connected tunnel to ${gateway}`);
        }
        const ns = topo.host(i === 0 ? 'gw1' : 'gw2').netns;
        return connectFromNamespace(ip, ns, t.localAddress, proxyPort, target, slow);
      },
      admin,
      pids: () => procs.filter((p) => p.running()).map((p) => p.pid),
      restartConnector,
      restartRedis,
      restartService,
      stop,
    };
    await waitForApp(apps.web);
    say('ingress: both tunnels report app web up');
    return stack;
  } catch (err) {
    await stop();
    throw err;
  }
}
