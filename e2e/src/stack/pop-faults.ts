import { execFileSync } from 'node:child_process';

/**
 * The ways a POP's VM can be lost, acted on its network namespace: every PID inside it, a
 * silent network cut, a freeze. Synchronous on purpose: each is a few short `ip`/`iptables`
 * calls, and a fault must land at once, not after the event loop's other work.
 */

const QUIET = { stdio: 'pipe' as const, encoding: 'utf8' as const, timeout: 10_000 };

/** The mark of the rules cutNetwork inserts, so restoreNetwork removes exactly those. */
const CUT_COMMENT = 'pa-stack-cut';

/** Every PID inside the namespace (`ip netns pids`). */
export function namespacePids(ip: string, netns: string): number[] {
  return execFileSync(ip, ['netns', 'pids', netns], QUIET)
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^\d+$/.test(l))
    .map(Number);
}

/** The DROP rules of a cut, for `-I` (insert) or `-D` (delete), both families, in and out. */
function cutRules(op: '-I' | '-D'): Array<[string, string[]]> {
  const rules: Array<[string, string[]]> = [];
  for (const bin of ['iptables', 'ip6tables']) {
    for (const chain of ['INPUT', 'OUTPUT']) {
      rules.push([bin, [op, chain, '-m', 'comment', '--comment', CUT_COMMENT, '-j', 'DROP']]);
    }
  }
  return rules;
}

/**
 * Drops every packet in and out of the namespace, IPv4 and IPv6, loopback included: nothing is
 * refused (no RST, no ICMP) and nothing is closed (no FIN), as when a VM's network is lost.
 */
export function cutNamespaceNetwork(ip: string, netns: string): void {
  for (const [bin, args] of cutRules('-I')) {
    execFileSync(ip, ['netns', 'exec', netns, bin, ...args], QUIET);
  }
}

/** Removes the rules cutNamespaceNetwork inserted (each once); none there is no error. */
export function restoreNamespaceNetwork(ip: string, netns: string): void {
  for (const [bin, args] of cutRules('-D')) {
    try {
      execFileSync(ip, ['netns', 'exec', netns, bin, ...args], QUIET);
    } catch {
      // not cut: nothing to remove
    }
  }
}

/** `signal` to each PID; one that has gone meanwhile is skipped. */
export function signalPids(pids: readonly number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // gone meanwhile
    }
  }
}
