import { measure } from './netns-process';
import { type DataPath, type PathName, pathsArg } from './paths';
import { median, round } from './percentiles';

export interface LatencyFigures {
  p50_ms: number;
  p99_ms: number;
}

/**
 * 1 KiB request/response round trips, one connection per path, the paths taking turns request by
 * request (load from elsewhere on the machine falls on all alike); `count` per path and round
 * after a warm-up, and the median round's p50 and p99 count.
 */
export async function latency(
  netns: string,
  paths: DataPath[],
  rounds: number,
  count: number,
): Promise<Record<PathName, LatencyFigures>> {
  const seen = new Map<PathName, LatencyFigures[]>();
  for (let r = 0; r < rounds; r++) {
    const f = (await measure(netns, [
      '--mode',
      'pingpong',
      '--size',
      '1024',
      '--count',
      String(count),
      ...pathsArg(paths),
    ])) as Record<string, LatencyFigures>;
    for (const p of paths) {
      const one = f[p.name];
      if (!one) throw new Error(`latency: no figures for ${p.name}`);
      seen.set(p.name, [...(seen.get(p.name) ?? []), one]);
    }
  }
  const out = {} as Record<PathName, LatencyFigures>;
  for (const p of paths) {
    const all = seen.get(p.name) ?? [];
    out[p.name] = {
      p50_ms: round(median(all.map((x) => x.p50_ms))),
      p99_ms: round(median(all.map((x) => x.p99_ms))),
    };
  }
  return out;
}
