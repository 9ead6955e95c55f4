import { measure } from './netns-process';
import type { DataPath, PathName } from './paths';
import { median, round } from './percentiles';

export interface ConnectionRateFigures {
  per_second: number;
  /** From connect() to the app's first byte (through the proxy: CONNECT and its 200 between). */
  setup_p50_ms: number;
  setup_p99_ms: number;
  errors: number;
}

/**
 * New connections per second per path: `concurrency` loops for `seconds`, each a new connection
 * (through the proxy: CONNECT and its 200 as well) that carries one byte to the app and back.
 * The time of each from connect() to that byte back is its setup time. The paths take turns for
 * `rounds` rounds; the median round's rate and setup percentiles count, errors are summed.
 */
export async function connectionRate(
  netns: string,
  paths: DataPath[],
  rounds: number,
  seconds: number,
  concurrency: number,
): Promise<Record<PathName, ConnectionRateFigures>> {
  const seen = new Map<PathName, ConnectionRateFigures[]>();
  for (let r = 0; r < rounds; r++) {
    for (const p of paths) {
      const f = await measure(netns, [
        '--mode',
        'connrate',
        '--seconds',
        String(seconds),
        '--concurrency',
        String(concurrency),
        ...p.clientArgs,
      ]);
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
    };
  }
  return out;
}
