import { readFileSync } from 'node:fs';
import { measure } from './netns-process';
import type { DataPath, PathName } from './paths';
import { median, round } from './percentiles';

export interface ConnectionRateFigures {
  per_second: number;
  /** From connect() to the app's first byte (through the proxy: CONNECT and its 200 between). */
  setup_p50_ms: number;
  setup_p99_ms: number;
  errors: number;
  /** CPU time (user + system) of `cpuOf`'s process per connection of its path, when asked. */
  cpu_ms_per_connection?: number;
}

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ: 100 on every Linux this runs on). */
const USER_HZ = 100;

/** A process's CPU time so far (user + system), from /proc/<pid>/stat. */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces), from field 3 on: utime is 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / USER_HZ;
}

/**
 * New connections per second per path: `concurrency` loops for `seconds`, each a new connection
 * (through the proxy: CONNECT and its 200 as well) that carries one byte to the app and back.
 * The time of each from connect() to that byte back is its setup time. The paths take turns for
 * `rounds` rounds; the median round's rate and setup percentiles count, errors are summed.
 * With `cpuOf`, the CPU time that process spent during its path's rounds, per connection (the
 * load client's start and end fall in the window too: a little more than the connections).
 */
export async function connectionRate(
  netns: string,
  paths: DataPath[],
  rounds: number,
  seconds: number,
  concurrency: number,
  cpuOf?: { path: PathName; pid: number },
): Promise<Record<PathName, ConnectionRateFigures>> {
  const seen = new Map<PathName, ConnectionRateFigures[]>();
  const cpu = { ms: 0, connections: 0 };
  for (let r = 0; r < rounds; r++) {
    for (const p of paths) {
      const watched = cpuOf?.path === p.name ? cpuOf.pid : undefined;
      const cpuBefore = watched === undefined ? 0 : cpuMs(watched);
      const f = await measure(netns, [
        '--mode',
        'connrate',
        '--seconds',
        String(seconds),
        '--concurrency',
        String(concurrency),
        ...p.clientArgs,
      ]);
      if (watched !== undefined) {
        cpu.ms += cpuMs(watched) - cpuBefore;
        cpu.connections += f.connections as number;
      }
      seen.set(p.name, [
        ...(seen.get(p.name) ?? []),
        {
          per_second: f.per_second as number,
          setup_p50_ms: f.setup_p50_ms as number,
          setup_p99_ms: f.setup_p99_ms as number,
          errors: f.errors as number,
        },
      ]);
    }
  }
  const out = {} as Record<PathName, ConnectionRateFigures>;
  for (const p of paths) {
    const all = seen.get(p.name) ?? [];
    out[p.name] = {
      per_second: Math.round(median(all.map((x) => x.per_second))),
      setup_p50_ms: round(median(all.map((x) => x.setup_p50_ms))),
      setup_p99_ms: round(median(all.map((x) => x.setup_p99_ms))),
      errors: all.reduce((n, x) => n + x.errors, 0),
      ...(cpuOf?.path === p.name && cpu.connections > 0
        ? { cpu_ms_per_connection: round(cpu.ms / cpu.connections, 3) }
        : {}),
    };
  }
  return out;
}
