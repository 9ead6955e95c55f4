import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, Topology } from '@pa-connector/test-support';
import { appServers, stackApps } from './apps';
import { checkPrerequisites, waitForAppState } from './checks';
import { type AdminCall, associateApps, gatewayConnector, publishGroup, startCloud } from './cloud';
import { requestThroughIngress } from './ingress-client';
import { mountLogDirTmpfs } from './pop';
import { restartStackRedis } from './redis';
import { readAppHealth } from './redis-read';
import { type PopContext, popDir, popRole, type StartedPop, startPop } from './stack-pop';
import type { StackRun } from './stack-run';
import type { IngressStats, Stack, StackApp, StackOptions } from './stack-types';
import { StackTeardown } from './teardown';

/** `connectors` checked: a whole number of POPs, at least one. */
function connectorCount(n: number | undefined): number {
  if (n === undefined) return 1;
  if (!Number.isInteger(n) || n < 1 || n > 8) {
    throw new Error(`connectors must be a whole number from 1 to 8, not ${n}`);
  }
  return n;
}

/**
 * The groups and keys the POPs enroll with: one group whose key has a use per POP (`shared`),
 * or a group and a one-use key per POP (`separate`), the apps then defined once and associated
 * with every group.
 */
async function publishGroups(
  run: StackRun,
  admin: AdminCall,
  runId: string,
  apps: { web: StackApp; web6: StackApp },
  count: number,
  groups: 'shared' | 'separate',
): Promise<Array<{ groupId: string; keyFile: string }>> {
  if (groups !== 'shared' && groups !== 'separate') {
    throw new Error(`groups must be "shared" or "separate", not ${JSON.stringify(groups)}`);
  }
  if (groups === 'shared') {
    const g = await publishGroup(
      run,
      admin,
      { name: `demo-${runId}`, dir: run.runDir, uses: count },
      apps,
    );
    return Array.from({ length: count }, () => g);
  }
  const out = [];
  for (let i = 1; i <= count; i++) {
    const name = i === 1 ? `demo-${runId}` : `demo-${runId}-${popRole(i)}`;
    out.push(await publishGroup(run, admin, { name, dir: popDir(run.runDir, i), uses: 1 }));
  }
  await associateApps(
    run,
    admin,
    apps,
    out.map((g) => g.groupId),
  );
  return out;
}

/**
 * Every start settled before the first failure is thrown, so no start still running adds
 * processes after the teardown has begun.
 */
async function startAll<T>(starts: Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(starts);
  const failed = settled.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((r) => (r as PromiseFulfilledResult<T>).value);
}

/**
 * Starts the whole stack: the network, the cloud (emulator and gateways), the app servers, then
 * each POP (its Redis, connector and other services), then waits until users can reach `web`
 * over every POP's tunnels.
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
  const { relays, stop } = teardown;

  try {
    const topo = await Topology.create({
      roles: [
        'gw1',
        'gw2',
        ...Array.from({ length: connectorCount(o.connectors) }, (_, i) => popRole(i + 1)),
        'app1',
        'app2',
      ],
      attachRoot: true,
    });
    teardown.topology = topo;
    const rootAddr = topo.root as { ipv4: string; ipv6: string };
    const runId = topo.runId;
    run.say(
      `network: namespaces ${[...topo.hosts.values()].map((h) => h.netns).join(', ')}; root ${rootAddr.ipv4}`,
    );

    const count = connectorCount(o.connectors);
    if (o.logDirTmpfsMb !== undefined) {
      mountLogDirTmpfs(run, logDir, o.logDirTmpfsMb);
      teardown.logDirMounted = true;
    }

    const { emulator, admin, gateways } = await startCloud(run, topo, rootAddr.ipv4, o);
    const servers = appServers(run, topo);
    await servers.start(1);
    await servers.start(2);
    const apps = stackApps(topo);
    const enrollments = await publishGroups(run, admin, runId, apps, count, o.groups ?? 'shared');

    // The POPs are independent VMs: they start side by side, each waiting for its own tunnels.
    const ctx: PopContext = {
      run,
      runId,
      mains,
      rootAddress: rootAddr.ipv4,
      emulator,
      admin,
      teardown,
      relays,
      o,
      timeoutMs,
    };
    const pops = await startAll(
      enrollments.map((e, i) =>
        startPop(ctx, {
          index: i + 1,
          host: topo.host(popRole(i + 1)),
          groupId: e.groupId,
          keyFile: e.keyFile,
          logDir: i === 0 ? logDir : join(popDir(runDir, i + 1), 'logs'),
        }),
      ),
    );
    const first = pops[0] as StartedPop;
    const { connector, services, redis, connectorEnv, redisUrl } = first;
    const restartRedis = async () => {
      procs.push(await restartStackRedis(runDir, redis));
    };

    const waitForApp = (app: StackApp, state = 'up', tunnels = 2, ms = timeoutMs) =>
      waitForAppState(admin, gateways, app, state, tunnels, ms, o.signal);
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
      groupId: first.groupId,
      connector,
      pops,
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
      tunnels: first.tunnels,
      waitForTunnels: first.waitForTunnels,
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
      connectFromGateway: gatewayConnector(run, topo, gateways, first.tunnels, proxyPort),
      admin,
      pids: () => procs.filter((p) => p.running()).map((p) => p.pid),
      restartConnector: first.restartConnector,
      restartRedis,
      restartService: first.restartService,
      stop,
    };
    // Every POP's two tunnels, counted over all connectors by the gateways' health views.
    await waitForApp(apps.web, 'up', 2 * count);
    run.say(
      count === 1
        ? 'ingress: both tunnels report app web up'
        : `ingress: all ${2 * count} tunnels of ${count} connectors report app web up`,
    );
    return stack;
  } catch (err) {
    await stop();
    throw err;
  }
}
