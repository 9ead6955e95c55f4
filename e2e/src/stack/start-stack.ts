import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectNoUnhandledRejections, repoRoot, Topology } from '@pa-connector/test-support';
import { appServers, stackApps } from './apps';
import {
  checkPrerequisites,
  pollWhileRunning,
  readTunnels,
  waitForAppState,
  waitForConnectedTunnels,
  waitForReady,
} from './checks';
import { gatewayConnector, publishGroup, startCloud } from './cloud';
import { getJson } from './http';
import { requestThroughIngress } from './ingress-client';
import {
  connectorSettings,
  mountLogDirTmpfs,
  startConnectorProcess,
  startPopRedis,
  startSideServices,
} from './pop';
import { restartStackRedis } from './redis';
import { readAppHealth } from './redis-read';
import type { StackRun } from './stack-run';
import type {
  IngressStats,
  SideService,
  Stack,
  StackApp,
  StackOptions,
  StackService,
} from './stack-types';
import { StackTeardown } from './teardown';

/**
 * Starts the whole stack: the network, the POP's Redis, the cloud (emulator and gateways), the
 * app servers, the connector and the other services, then waits until users can reach `web`.
 * On any failure it tears down what it had started and rethrows.
 */
export async function startStack(o: StackOptions = {}): Promise<Stack> {
  const root = repoRoot();
  const { ip, mains } = checkPrerequisites(root);
  const progress = o.progress ?? (() => undefined);
  const timeoutMs = (o.timeoutSeconds ?? 90) * 1000;
  const parent = o.parentDir ?? tmpdir();
  mkdirSync(parent, { recursive: true, mode: 0o700 });
  const runDir = mkdtempSync(join(parent, 'pa-stack-'));
  const logDir = join(runDir, 'logs');
  const run: StackRun = {
    root,
    runDir,
    ip,
    procs: [],
    // Every step reports progress: an abort (Ctrl-C while starting) is noticed there.
    say: (line) => {
      o.signal?.throwIfAborted();
      progress(line);
    },
  };
  const procs = run.procs;
  const teardown = new StackTeardown(run, logDir, o.keepRunDir ?? false);
  const { relays, watched, stop } = teardown;

  try {
    const topo = await Topology.create({
      roles: ['gw1', 'gw2', 'pop', 'app1', 'app2'],
      attachRoot: true,
    });
    teardown.topology = topo;
    const rootAddr = topo.root as { ipv4: string; ipv6: string };
    const runId = topo.runId;
    run.say(
      `network: namespaces ${[...topo.hosts.values()].map((h) => h.netns).join(', ')}; root ${rootAddr.ipv4}`,
    );

    const popRedis = await startPopRedis(run, rootAddr.ipv4, runId, o, relays);
    const { redis, redisUrl } = popRedis;
    if (o.logDirTmpfsMb !== undefined) {
      mountLogDirTmpfs(run, logDir, o.logDirTmpfsMb);
      teardown.logDirMounted = true;
    }

    const { emulator, admin, gateways } = await startCloud(run, topo, rootAddr.ipv4, o);
    const servers = appServers(run, topo);
    await servers.start(1);
    await servers.start(2);
    const apps = stackApps(topo);
    const { groupId, keyFile } = await publishGroup(run, admin, runId, apps);

    const pop = topo.host('pop');
    const dataDir = join(runDir, 'connector-data');
    const connectorEnv = connectorSettings({
      run,
      runId,
      pop,
      redis: popRedis,
      emulator,
      keyFile,
      dataDir,
      ...(o.connectorEnv ? { overrides: o.connectorEnv } : {}),
    });
    const connectorUrl = `http://${pop.ipv4}:${connectorEnv.PA_HTTP_PORT}`;
    const connector = {
      name: 'connector',
      url: connectorUrl,
      process: startConnectorProcess(run, mains, pop, connectorEnv),
      dataDir,
      host: pop,
      connectorId: '',
    };
    run.say(`connector: started in ${pop.netns}, status on ${connectorUrl}`);

    const tunnels = () => readTunnels(connectorUrl);
    const waitForTunnels = (count = 2, ms = timeoutMs) =>
      waitForConnectedTunnels(() => connector.process, connectorUrl, count, ms, o.signal);
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
    connector.connectorId = connectorId;
    run.say(`connector: enrolled as ${connectorId}, both tunnels up`);

    const side = await startSideServices({
      run,
      mains,
      names: o.services ?? [],
      redis: popRedis,
      logDir,
      connectorUrl,
    });
    const services = side.services;
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
      connector.process = startConnectorProcess(run, mains, pop, connectorEnv);
      await waitForTunnels(2);
      await pollWhileRunning(
        connector.process,
        'connector /ready 200 after its restart',
        async () => ((await getJson(`${connectorUrl}/ready`)).status === 200 ? true : undefined),
        timeoutMs,
        o.signal,
      );
    };
    const serviceReady = (s: StackService, what = '') => waitForReady(s, what, timeoutMs, o.signal);
    for (const s of [connector, ...Object.values(services)]) await serviceReady(s);
    const restartService = async (name: SideService, signal: NodeJS.Signals = 'SIGTERM') => {
      const s = services[name];
      if (!s) throw new Error(`the stack runs no ${name}`);
      await s.process.stop(8_000, signal);
      s.process = side.start(name);
      await serviceReady(s, ' after its restart');
    };
    const restartRedis = async () => {
      procs.push(await restartStackRedis(runDir, redis));
    };
    if (o.services?.length) run.say(`services: ${o.services.join(', ')} ready`);

    const waitForApp = (app: StackApp, state = 'up', count = 2, ms = timeoutMs) =>
      waitForAppState(admin, gateways, app, state, count, ms, o.signal);
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
      groupId,
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
      stopAppServer: servers.stop,
      startAppServer: servers.start,
      appHealth: (app) => readAppHealth(redis, app.id),
      proxyPort,
      connectFromGateway: gatewayConnector(run, topo, gateways, tunnels, proxyPort),
      admin,
      pids: () => procs.filter((p) => p.running()).map((p) => p.pid),
      restartConnector,
      restartRedis,
      restartService,
      stop,
    };
    await waitForApp(apps.web);
    run.say('ingress: both tunnels report app web up');
    return stack;
  } catch (err) {
    await stop();
    throw err;
  }
}
