import type { FaultResult } from '../chaos';
import { unexcused } from '../chaos';

/** One fault's figures over every round it ran in. */
export interface FaultSummary {
  fault: string;
  /** Rounds it ran in. */
  count: number;
  failed: number;
  requests: number;
  unexcused: number;
  altered: number;
  /** Runs that did not converge (or whose injection failed). */
  errors: number;
  firstSuccessMs: { median?: number; max?: number };
  bothTunnelsMs: { median?: number; max?: number };
}

export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

const spread = (values: number[]) => {
  const m = median(values);
  return m === undefined ? {} : { median: m, max: Math.max(...values) };
};

/** Per fault, in the order faults first ran. */
export function summarizeFaults(results: readonly FaultResult[]): FaultSummary[] {
  const byFault = new Map<string, FaultResult[]>();
  for (const r of results) byFault.set(r.fault, [...(byFault.get(r.fault) ?? []), r]);
  return [...byFault].map(([fault, rs]) => ({
    fault,
    count: rs.length,
    failed: rs.reduce((n, r) => n + r.failed, 0),
    requests: rs.reduce((n, r) => n + r.requests, 0),
    unexcused: rs.reduce((n, r) => n + unexcused(r).length, 0),
    altered: rs.reduce((n, r) => n + r.altered, 0),
    errors: rs.filter((r) => r.error !== undefined).length,
    firstSuccessMs: spread(rs.flatMap((r) => r.firstSuccessAfterMs ?? [])),
    bothTunnelsMs: spread(rs.flatMap((r) => r.bothTunnelsAfterMs ?? [])),
  }));
}
