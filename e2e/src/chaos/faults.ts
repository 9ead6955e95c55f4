import { execFile } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { requireBinary } from '@pa-connector/test-support';
import { openvpnChildren, type Stack, waitUntil } from '../stack';

/** What a fault may use while it is injected and restored. */
export interface FaultContext {
  stack: Stack;
  /** The gateway the connector's tunnel `t1`/`t2` goes to. */
  gatewayOf(tunnel: string): string;
}

export interface Fault {
  name: string;
  /**
   * The gateway whose tunnel the fault breaks; absent when it touches no tunnel (Redis, the
   * SSE): then the users must not notice it at all.
   */
  gateway?: (ctx: FaultContext) => string;
  /** Injects the fault, holds it as long as it lasts, restores what needs restoring. */
  run(ctx: FaultContext): Promise<void>;
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch (err) {
    throw new Error(`kill -${sig} ${pid}: ${(err as Error).message}`);
  }
}

async function gatewayPid(stack: Stack, name: string): Promise<number> {
  const list = await stack.admin<Array<{ name: string; pid: number | null }>>(
    'GET',
    '/admin/gateways',
  );
  const pid = list.find((g) => g.name === name)?.pid;
  if (!pid) throw new Error(`gateway ${name} has no running openvpn`);
  return pid;
}

/**
 * Until the emulator sees the gateway's openvpn gone: on SIGTERM a UDP server first tells its
 * clients (explicit-exit-notify) and exits a moment later; a start before that is a no-op.
 */
async function gatewayExited(stack: Stack, name: string, ms = 30_000): Promise<void> {
  await waitUntil(
    `gateway ${name} exited`,
    async () => {
      const list = await stack.admin<Array<{ name: string; running: boolean }>>(
        'GET',
        '/admin/gateways',
      );
      return list.find((g) => g.name === name)?.running === false ? true : undefined;
    },
    ms,
  );
}

function connectorOpenvpn(stack: Stack, tunnel: string): number {
  const pid = openvpnChildren(stack.connector.process.pid)[tunnel];
  if (!pid) throw new Error(`the connector runs no openvpn for ${tunnel}`);
  return pid;
}

/**
 * Until the connector runs another openvpn for `tunnel` than `pid` (the tunnel watch alone can
 * miss a restart quicker than its sampling).
 */
async function replaced(stack: Stack, tunnel: string, pid: number, ms = 60_000): Promise<void> {
  await waitUntil(
    `a new openvpn for ${tunnel}`,
    async () => {
      const now = openvpnChildren(stack.connector.process.pid)[tunnel];
      return now !== undefined && now !== pid ? true : undefined;
    },
    ms,
  );
}

function ipNetns(netns: string, args: string[]): Promise<void> {
  const ip = requireBinary('ip', 'iproute2');
  return new Promise((resolve, reject) => {
    execFile(ip, ['netns', 'exec', netns, ...args], { timeout: 10_000 }, (err, _o, stderr) =>
      err
        ? reject(new Error(`${args.join(' ')} in ${netns}: ${stderr.trim() || err.message}`))
        : resolve(),
    );
  });
}

/**
 * Drops packets between the connector and the first gateway, both ways, in the gateway's
 * namespace: all of them, or each with `probability` (this kernel has no netem).
 */
function dropRules(stack: Stack, probability?: number): string[][] {
  const pop = stack.connector.host.ipv4;
  const match =
    probability === undefined
      ? []
      : ['-m', 'statistic', '--mode', 'random', '--probability', String(probability)];
  return [
    ['INPUT', '-s', pop, ...match, '-j', 'DROP'],
    ['OUTPUT', '-d', pop, ...match, '-j', 'DROP'],
  ];
}

/** Holds `rules` in gateway 1's namespace for `ms`, then removes them. */
async function withRules(stack: Stack, rules: string[][], ms: number): Promise<void> {
  const netns = stack.topology.host('gw1').netns;
  try {
    for (const r of rules) await ipNetns(netns, ['iptables', '-I', ...r]);
    await sleep(ms);
  } finally {
    for (const r of rules) await ipNetns(netns, ['iptables', '-D', ...r]).catch(() => {});
  }
}

const firstGateway = (ctx: FaultContext) => ctx.stack.gateways[0] as string;
const tunnelOne = (ctx: FaultContext) => ctx.gatewayOf('t1');

/** The fault table of the short form, in the order it runs. */
export const SHORT_FAULTS: readonly Fault[] = [
  {
    name: 'gateway SIGKILL',
    gateway: firstGateway,
    async run({ stack }) {
      const g = stack.gateways[0] as string;
      await stack.killGateway(g);
      await sleep(2_000);
      await stack.startGateway(g);
    },
  },
  {
    name: 'gateway SIGTERM',
    gateway: firstGateway,
    async run({ stack }) {
      const g = stack.gateways[0] as string;
      signal(await gatewayPid(stack, g), 'SIGTERM');
      await gatewayExited(stack, g);
      await sleep(2_000);
      // The emulator leaves a gateway that died down until it is started again.
      await stack.startGateway(g);
    },
  },
  {
    name: 'gateway SIGSTOP, SIGCONT after 10 s',
    gateway: firstGateway,
    async run({ stack }) {
      const pid = await gatewayPid(stack, stack.gateways[0] as string);
      signal(pid, 'SIGSTOP');
      try {
        await sleep(10_000);
      } finally {
        signal(pid, 'SIGCONT');
      }
    },
  },
  {
    name: 'black hole connector <-> gateway 20 s',
    gateway: firstGateway,
    run: ({ stack }) => withRules(stack, dropRules(stack), 20_000),
  },
  {
    name: '30 % packet loss connector <-> gateway 20 s',
    gateway: firstGateway,
    run: ({ stack }) => withRules(stack, dropRules(stack, 0.3), 20_000),
  },
  {
    name: 'connector openvpn SIGKILL',
    gateway: tunnelOne,
    async run({ stack }) {
      const pid = connectorOpenvpn(stack, 't1');
      signal(pid, 'SIGKILL');
      await replaced(stack, 't1', pid);
    },
  },
  {
    name: 'connector openvpn SIGSTOP',
    gateway: tunnelOne,
    async run({ stack }) {
      // The connector notices the frozen process, kills it and starts another: nothing to
      // restore, but the fault lasts until then.
      const pid = connectorOpenvpn(stack, 't1');
      signal(pid, 'SIGSTOP');
      try {
        await replaced(stack, 't1', pid);
      } catch (err) {
        signal(pid, 'SIGKILL');
        throw err;
      }
    },
  },
  {
    name: 'Redis SIGSTOP 5 s',
    async run({ stack }) {
      const pid = stack.redis.process.pid;
      signal(pid, 'SIGSTOP');
      try {
        await sleep(5_000);
      } finally {
        signal(pid, 'SIGCONT');
      }
    },
  },
  {
    name: 'SSE 503 for 15 s',
    async run({ stack }) {
      await stack.admin('PUT', '/admin/faults/*', { mode: '5xx', status: 503 });
      try {
        await sleep(15_000);
      } finally {
        await stack.admin('DELETE', '/admin/faults');
      }
    },
  },
];
