import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expectNoUnhandledRejections, type Host, type TcpRelay } from '@pa-connector/test-support';
import {
  pollWhileRunning,
  readTunnels,
  type StackMains,
  waitForConnectedTunnels,
  waitForReady,
} from './checks';
import type { AdminCall } from './cloud';
import type { StackEmulator } from './emulator';
import { getJson } from './http';
import { openvpnChildren } from './openvpn-children';
import {
  connectorSettings,
  type PopRedis,
  startConnectorProcess,
  startPopRedis,
  startSideServices,
} from './pop';
import {
  cutNamespaceNetwork,
  namespacePids,
  restoreNamespaceNetwork,
  signalPids,
} from './pop-faults';
import type { StackRun } from './stack-run';
import type {
  SideService,
  StackConnector,
  StackOptions,
  StackPop,
  StackService,
} from './stack-types';
import type { StackTeardown } from './teardown';

/** What every POP of a run shares: the run, the cloud and how to reach it. */
export interface PopContext {
  run: StackRun;
  runId: string;
  mains: StackMains;
  rootAddress: string;
  emulator: StackEmulator;
  admin: AdminCall;
  teardown: StackTeardown;
  relays: TcpRelay[];
  o: StackOptions;
  timeoutMs: number;
}

/** A POP as startStack builds the stack from it. */
export type StartedPop = StackPop & {
  /** Where its side services reach its Redis (Redis itself, or the loopback relay). */
  redisUrl: string;
  restartService(name: SideService, signal?: NodeJS.Signals): Promise<void>;
};

/** POP `index`'s namespace role: POP 1 keeps `pop`, so what uses it today is unchanged. */
export function popRole(index: number): string {
  return index === 1 ? 'pop' : `pop${index}`;
}

/**
 * Where a POP keeps its files and logs: POP 1 the run directory itself (as a one-POP stack
 * always had it), POP i `<runDir>/pop<i>`.
 */
export function popDir(runDir: string, index: number): string {
  const dir = index === 1 ? runDir : join(runDir, popRole(index));
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

/**
 * One POP, a VM of its own: its Redis, its connector in its namespace (enrolled with `keyFile`),
 * waited for until both tunnels are up, then its side services, waited for until every one
 * answers /ready 200.
 */
export async function startPop(
  ctx: PopContext,
  a: { index: number; host: Host; groupId: string; keyFile: string; logDir: string },
): Promise<StartedPop> {
  const { run, o, timeoutMs } = ctx;
  const dir = popDir(run.runDir, a.index);
  const label = a.index === 1 ? '' : `${popRole(a.index)} `;
  const say = (line: string) => run.say(`${label}${line}`);
  const prefix = a.index === 1 ? `stack-${ctx.runId}:` : `stack-${ctx.runId}-${popRole(a.index)}:`;
  const popRedis: PopRedis = await startPopRedis(
    run,
    { dir, bridgeAddress: ctx.rootAddress, prefix, say },
    o,
    ctx.relays,
  );
  const pop = a.host;
  const dataDir = join(dir, 'connector-data');
  const connectorEnv = connectorSettings({
    dir,
    hostname: a.index === 1 ? `pop-${ctx.runId}` : `${popRole(a.index)}-${ctx.runId}`,
    pop,
    redis: popRedis,
    emulator: ctx.emulator,
    keyFile: a.keyFile,
    dataDir,
    ...(o.connectorEnv ? { overrides: o.connectorEnv } : {}),
  });
  const connectorUrl = `http://${pop.ipv4}:${connectorEnv.PA_HTTP_PORT}`;
  const startConnector = () => startConnectorProcess(run, dir, ctx.mains, pop, connectorEnv);
  const connector: StackConnector = {
    name: 'connector',
    url: connectorUrl,
    process: startConnector(),
    dataDir,
    host: pop,
    connectorId: '',
  };
  say(`connector: started in ${pop.netns}, status on ${connectorUrl}`);

  const tunnels = () => readTunnels(connectorUrl);
  const waitForTunnels = (count = 2, ms = timeoutMs) =>
    waitForConnectedTunnels(() => connector.process, connectorUrl, count, ms, o.signal);
  await waitForTunnels(2);
  const identity = (await getJson(`${connectorUrl}/ready`)).body as unknown;
  const listed = await ctx.admin<Array<{ id: string; hostname: string }>>(
    'GET',
    '/admin/connectors',
  );
  const connectorId = listed.find((c) => c.hostname === connectorEnv.PA_HOSTNAME)?.id;
  if (!connectorId)
    throw new Error(
      `the cloud does not list connector ${connectorEnv.PA_HOSTNAME}: ${JSON.stringify(identity).slice(0, 200)}`,
    );
  connector.connectorId = connectorId;
  say(`connector: enrolled as ${connectorId}, both tunnels up`);

  const side = await startSideServices({
    run,
    dir,
    mains: ctx.mains,
    names: o.services ?? [],
    redis: popRedis,
    logDir: a.logDir,
    connectorUrl,
  });
  const services = side.services;
  const watched = ctx.teardown.watched;
  watched.push({ name: `${label}connector`, url: connectorUrl, process: () => connector.process });
  for (const s of Object.values(services)) {
    watched.push({ name: `${label}${s.name}`, url: s.url, process: () => s.process });
  }
  const serviceReady = (s: StackService, what = '') => waitForReady(s, what, timeoutMs, o.signal);
  for (const s of [connector, ...Object.values(services)]) await serviceReady(s);
  if (o.services?.length) say(`services: ${o.services.join(', ')} ready`);

  const restartConnector: StackPop['restartConnector'] = async ({ signal = 'SIGTERM' } = {}) => {
    await expectNoUnhandledRejections(`${label}connector`, connectorUrl, () =>
      connector.process.tail(200),
    );
    // compose's stop_grace_period: the connector's own stop timeout ends it sooner.
    await connector.process.stop(90_000, signal);
    connector.process = startConnector();
    await waitForTunnels(2);
    await pollWhileRunning(
      connector.process,
      `${label}connector /ready 200 after its restart`,
      async () => ((await getJson(`${connectorUrl}/ready`)).status === 200 ? true : undefined),
      timeoutMs,
      o.signal,
    );
  };
  const restartService = async (name: SideService, signal: NodeJS.Signals = 'SIGTERM') => {
    const s = services[name];
    if (!s) throw new Error(`the stack runs no ${name}`);
    await s.process.stop(8_000, signal);
    s.process = side.start(name);
    await serviceReady(s, ' after its restart');
  };

  const ip = run.ip;
  let frozen: number[] = [];
  const openvpnPids = () =>
    connector.process.running() ? openvpnChildren(connector.process.pid) : {};
  const restoreNetwork = () => restoreNamespaceNetwork(ip, pop.netns);
  const thaw = () => {
    // Whatever freeze() stopped, and anything started in the namespace since.
    signalPids([...new Set([...frozen, ...namespacePids(ip, pop.netns)])], 'SIGCONT');
    frozen = [];
  };
  // A stop while a fault holds (a failed test) first lets the POP run again, so every process
  // can take its SIGTERM and every rule goes.
  ctx.teardown.beforeStop.push(() => {
    thaw();
    restoreNetwork();
  });
  const popView: StartedPop = {
    index: a.index,
    host: pop,
    netns: pop.netns,
    groupId: a.groupId,
    redis: popRedis.redis,
    redisUrl: popRedis.redisUrl,
    connector,
    services,
    connectorEnv,
    tunnels,
    waitForTunnels,
    restartConnector,
    restartService,
    openvpnPids,
    processPids: () => namespacePids(ip, pop.netns),
    cutNetwork: () => cutNamespaceNetwork(ip, pop.netns),
    restoreNetwork,
    freeze: () => {
      frozen = namespacePids(ip, pop.netns);
      signalPids(frozen, 'SIGSTOP');
    },
    thaw,
    kill: () => {
      // The children first read, then all at once: a dead connector's PID is not signalled.
      const vpn = Object.values(openvpnPids());
      signalPids(
        [...(connector.process.running() ? [connector.process.pid] : []), ...vpn],
        'SIGKILL',
      );
    },
  };
  return popView;
}
