import { measure } from './netns-process';
import type { DataPath, PathName } from './paths';
import { median, round } from './percentiles';

export interface ThroughputFigures {
  /** Median round, Gbit/s. */
  gbps: number;
  /** Lowest and highest round, `min-max`: how much the machine's other load moved it. */
  spread: string;
}

/**
 * Bulk throughput of each path, gateway -> app, one stream of `seconds`. The paths take turns
 * for `rounds` rounds so that load from elsewhere on the machine falls on all of them alike; the
 * median round counts.
 */
export async function throughput(
  netns: string,
  paths: DataPath[],
  rounds: number,
  seconds: number,
): Promise<Record<PathName, ThroughputFigures>> {
  const gbps = new Map<PathName, number[]>();
  for (let r = 0; r < rounds; r++) {
    for (const p of paths) {
      const f = await measure(netns, [
        '--mode',
        'bulk',
        '--seconds',
        String(seconds),
        ...p.clientArgs,
      ]);
      gbps.set(p.name, [...(gbps.get(p.name) ?? []), f.gbps as number]);
    }
  }
  const out = {} as Record<PathName, ThroughputFigures>;
  for (const p of paths) {
    const all = gbps.get(p.name) ?? [];
    out[p.name] = {
      gbps: round(median(all)),
      spread: `${Math.min(...all)}-${Math.max(...all)}`,
    };
  }
  return out;
}
