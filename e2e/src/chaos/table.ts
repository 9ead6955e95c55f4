import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@pa-connector/test-support';
import type { FaultResult } from './fault-result';

const seconds = (ms: number | undefined) =>
  ms === undefined ? '-' : `${(ms / 1000).toFixed(1)} s`;
const delta = (a: number | undefined, b: number | undefined, unit = '') =>
  a === undefined || b === undefined ? '-' : `${b - a >= 0 ? '+' : ''}${b - a}${unit}`;

export const unexcused = (r: FaultResult) => r.failures.filter((f) => !f.excused);

/** `gw1 60/1, gw2 58`: requests per carrying gateway, and how many of them failed. */
function byGateway(r: FaultResult): string {
  const failed = new Map<string, number>();
  for (const f of r.failures) {
    const g = f.gateway ?? 'none';
    failed.set(g, (failed.get(g) ?? 0) + 1);
  }
  return Object.entries(r.requestsByGateway ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([g, n]) => `${g} ${n}${failed.get(g) ? `/${failed.get(g)}` : ''}`)
    .join(', ');
}

/**
 * `fault | failed requests | by gateway (requests/failed) | first success after |
 * both tunnels after | RSS Δ | fds Δ | log lines lost/dup`.
 */
export function chaosTable(results: readonly FaultResult[]): string {
  const rows: string[][] = [
    [
      'fault',
      'failed requests',
      'by gateway (requests/failed)',
      'first success after',
      'both tunnels after',
      'RSS Δ',
      'fds Δ',
      'log lines lost/dup',
    ],
  ];
  for (const r of results) {
    rows.push([
      r.fault,
      `${r.failed} of ${r.requests}${unexcused(r).length ? ` (${unexcused(r).length} unexcused)` : ''}`,
      byGateway(r),
      seconds(r.firstSuccessAfterMs),
      r.error ? `NOT (${r.error})` : seconds(r.bothTunnelsAfterMs),
      delta(r.before.rssKb, r.after.rssKb, ' kB'),
      delta(r.before.fds, r.after.fds),
      r.logLines ? `${r.logLines.lost}/${r.logLines.duplicated} of ${r.logLines.produced}` : '-',
    ]);
  }
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? [];
  return rows
    .map((r) => `| ${r.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join(' | ')} |`)
    .join('\n')
    .concat('\n');
}

/** Writes bench/chaos-results.json (kept out of git, like bench/results.json). */
export function writeChaosResults(
  results: readonly FaultResult[],
  extra: Record<string, unknown> = {},
): string {
  const file = join(repoRoot(), 'bench', 'chaos-results.json');
  const doc = { at: new Date().toISOString(), ...extra, faults: results };
  writeFileSync(file, `${JSON.stringify(doc, null, 2)}\n`);
  return file;
}
