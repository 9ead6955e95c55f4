/**
 * The "grows steadily" rule of the soak. A resource series (one value per interval sample, the
 * warm-up sample taken right after the stack started left out) grows steadily when
 *
 *   - each of its last `intervals` samples is higher than the one before it (strictly), and
 *   - the total growth over those intervals is at least `minGrowth` and at least
 *     `minFraction` of the value they started from.
 *
 * Both parts are needed: a value that rises every interval by a few bytes is noise (RSS is seldom
 * given back to the system, so it creeps), and one large rise followed by a plateau is a new
 * steady state (a pool filled, a cache reached its bound), not a leak. With fewer than
 * `intervals + 1` samples, or a missing value among them, the series is not judged; nor is it
 * when the process behind it changed among those samples (`pids`: a restart starts afresh).
 */
export interface GrowthRule {
  /** How many consecutive rises (k) it takes: the last k + 1 samples are compared. */
  intervals: number;
  /** The least total growth over those k intervals, in the series' own unit. */
  minGrowth: number;
  /** The least total growth as a fraction of the first of those samples (0.05: 5 %). */
  minFraction: number;
}

export type GrowthVerdict =
  | { judged: false; why: string }
  | { judged: true; grows: boolean; growth: number; from: number; to: number };

export function judgeGrowth(
  series: readonly (number | undefined)[],
  rule: GrowthRule,
  pids?: readonly (number | undefined)[],
): GrowthVerdict {
  const k = rule.intervals;
  if (series.length < k + 1) {
    return { judged: false, why: `${series.length} of ${k + 1} samples` };
  }
  if (pids && new Set(pids.slice(-(k + 1))).size > 1) {
    return { judged: false, why: 'restarted meanwhile' };
  }
  const last = series.slice(-(k + 1));
  if (last.some((v) => v === undefined || !Number.isFinite(v))) {
    return { judged: false, why: 'a sample is missing' };
  }
  const values = last as number[];
  const from = values[0] as number;
  const to = values[k] as number;
  const growth = to - from;
  const rises = values.every((v, i) => i === 0 || v > (values[i - 1] as number));
  const enough = growth >= rule.minGrowth && growth >= rule.minFraction * Math.abs(from);
  return { judged: true, grows: rises && enough, growth, from, to };
}

/** The resources the soak samples, and the rule each one is judged by. */
export type ResourceName = 'rssBytes' | 'fds' | 'heapUsedBytes' | 'eventLoopP99Ms';

const MiB = 1024 * 1024;

export const GROWTH_RULES: Readonly<Record<ResourceName, GrowthRule>> = {
  // RSS: three rises in a row, together at least 8 MiB and 5 %.
  rssBytes: { intervals: 3, minGrowth: 8 * MiB, minFraction: 0.05 },
  // Descriptors: the load's own connections in flight move them by up to 16 (as in chaos).
  fds: { intervals: 3, minGrowth: 16, minFraction: 0 },
  // Heap used after whatever GC happened: at least 4 MiB and 10 %.
  heapUsedBytes: { intervals: 3, minGrowth: 4 * MiB, minFraction: 0.1 },
  // Event loop delay p99 over each interval: at least 20 ms and 50 % worse. It rises with the
  // machine's load (every service at once), hence the wide relative margin; the load average is
  // printed beside each sample to tell the two apart.
  eventLoopP99Ms: { intervals: 3, minGrowth: 20, minFraction: 0.5 },
};
