import { execFile } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { requireBinary } from '@pa-connector/test-support';
import { openvpnChildren, type Stack, waitUntil } from '../stack';

/** Building blocks of faults: signals by PID, the emulator's gateways, iptables in a namespace. */

export function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch (err) {
    throw new Error(`kill -${sig} ${pid}: ${(err as Error).message}`);
  }
}

export async function gatewayPid(stack: Stack, name: string): Promise<number> {
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
export async function gatewayExited(stack: Stack, name: string, ms = 30_000): Promise<void> {
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

export function connectorOpenvpn(stack: Stack, tunnel: string): number {
  const pid = openvpnChildren(stack.connector.process.pid)[tunnel];
  if (!pid) throw new Error(`the connector runs no openvpn for ${tunnel}`);
  return pid;
}

/**
 * Until the connector runs another openvpn for `tunnel` than `pid` (the tunnel watch alone can
 * miss a restart quicker than its sampling).
 */
export async function replaced(
  stack: Stack,
  tunnel: string,
  pid: number,
  ms = 60_000,
): Promise<void> {
  await waitUntil(
    `a new openvpn for ${tunnel}`,
    async () => {
      const now = openvpnChildren(stack.connector.process.pid)[tunnel];
      return now !== undefined && now !== pid ? true : undefined;
    },
    ms,
  );
}

export function ipNetns(netns: string, args: string[]): Promise<void> {
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
export function dropRules(stack: Stack, probability?: number): string[][] {
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
export async function withRules(stack: Stack, rules: string[][], ms: number): Promise<void> {
  const netns = stack.topology.host('gw1').netns;
  try {
    for (const r of rules) await ipNetns(netns, ['iptables', '-I', ...r]);
    await sleep(ms);
  } finally {
    for (const r of rules) await ipNetns(netns, ['iptables', '-D', ...r]).catch(() => {});
  }
}
