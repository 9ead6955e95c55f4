import { join } from 'node:path';
import { spawnTracked, type TrackedProcess } from '@pa-connector/test-support';

/** The built measuring scripts (bench/dist/data-path/*.js). */
const script = (name: 'app-server' | 'load-client') => join(__dirname, `${name}.js`);

/**
 * Spawns `command` inside a network namespace (`ip netns exec` execs, so the tracked PID is the
 * command's own). It inherits this process's open-files limit.
 */
export function spawnInNetns(netns: string, command: string, args: string[]): TrackedProcess {
  return spawnTracked('ip', ['netns', 'exec', netns, command, ...args]);
}

/** A node script of this folder inside a namespace. */
export function nodeInNetns(
  netns: string,
  name: 'app-server' | 'load-client',
  args: string[],
): TrackedProcess {
  return spawnInNetns(netns, process.execPath, [script(name), ...args]);
}

/** Runs the load client to its end and returns the JSON figures it printed. */
export async function measure(
  netns: string,
  args: string[],
  timeoutMs = 120_000,
): Promise<Record<string, unknown>> {
  const p = nodeInNetns(netns, 'load-client', args);
  const timer = setTimeout(() => void p.stop(1_000), timeoutMs);
  const code = await p.exited;
  clearTimeout(timer);
  await p.stop();
  const last = [...p.lines].reverse().find((l) => l.startsWith('{'));
  if (code !== 0 || last === undefined) {
    throw new Error(
      `load-client ${args.join(' ')} in ${netns} ended with ${code}: ${p.lines.slice(-5).join(' | ')}`,
    );
  }
  return JSON.parse(last) as Record<string, unknown>;
}
