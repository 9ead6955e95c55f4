import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@pa-connector/test-support';
import type { FaultResult } from '../chaos';
import type { FaultSummary } from './aggregate';
import { GROWTH_RULES, type GrowthVerdict, judgeGrowth, type ResourceName } from './growth';
import type { ResourceSample } from './sampler';

const RESOURCES: readonly ResourceName[] = ['rssBytes', 'fds', 'heapUsedBytes', 'eventLoopP99Ms'];

const LABEL: Record<ResourceName, string> = {
  rssBytes: 'RSS',
  fds: 'fds',
  heapUsedBytes: 'heap used',
  eventLoopP99Ms: 'ELD p99',
};

export function showResource(what: ResourceName, v: number | undefined): string {
  if (v === undefined) return '-';
  if (what === 'rssBytes' || what === 'heapUsedBytes') return `${(v / 1024 / 1024).toFixed(1)} MiB`;
  if (what === 'eventLoopP99Ms') return `${v.toFixed(1)} ms`;
  return String(v);
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? [];
  return rows
    .map((r) => `| ${r.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join(' | ')} |`)
    .join('\n')
    .concat('\n');
}

const seconds = (ms: number | undefined) =>
  ms === undefined ? '-' : `${(ms / 1000).toFixed(1)} s`;

/** `fault | runs | failed requests | unexcused | altered | not converged | first success | both tunnels`. */
export function faultSummaryTable(summaries: readonly FaultSummary[]): string {
  const rows = [
    [
      'fault',
      'runs',
      'failed requests',
      'unexcused',
      'altered',
      'not converged',
      'first success median / max',
      'both tunnels median / max',
    ],
  ];
  for (const s of summaries) {
    rows.push([
      s.fault,
      String(s.count),
      `${s.failed} of ${s.requests}`,
      String(s.unexcused),
      String(s.altered),
      String(s.errors),
      `${seconds(s.firstSuccessMs.median)} / ${seconds(s.firstSuccessMs.max)}`,
      `${seconds(s.bothTunnelsMs.median)} / ${seconds(s.bothTunnelsMs.max)}`,
    ]);
  }
  return table(rows);
}

/** A verdict per service and resource: the samples after the warm-up one (minute 0). */
export function growthVerdicts(
  samples: readonly ResourceSample[],
): Array<{ service: string; resource: ResourceName; verdict: GrowthVerdict }> {
  const judged = samples.filter((s) => s.minute > 0);
  const services = [...new Set(samples.flatMap((s) => Object.keys(s.services)))];
  return services.flatMap((service) =>
    RESOURCES.map((resource) => ({
      service,
      resource,
      verdict: judgeGrowth(
        judged.map((s) => s.services[service]?.[resource]),
        GROWTH_RULES[resource],
        judged.map((s) => s.services[service]?.pid),
      ),
    })),
  );
}

/**
 * One row per service and sample: `minute | service | RSS | fds | heap used | ELD p99`, then a
 * row per service with each resource's verdict (`ok`, `GROWS (+x)` or why it was not judged).
 */
export function resourceTable(samples: readonly ResourceSample[]): string {
  const rows = [['minute', 'load avg', 'service', ...RESOURCES.map((r) => LABEL[r])]];
  for (const s of samples) {
    for (const [service, v] of Object.entries(s.services)) {
      rows.push([
        s.minute === 0 ? '0 (warm-up)' : String(s.minute),
        s.loadAverage.toFixed(1),
        service,
        ...RESOURCES.map((r) => showResource(r, v[r])),
      ]);
    }
  }
  const verdicts = growthVerdicts(samples);
  for (const service of [...new Set(verdicts.map((v) => v.service))]) {
    rows.push([
      'grows steadily?',
      '',
      service,
      ...RESOURCES.map((r) => {
        const v = verdicts.find((x) => x.service === service && x.resource === r)?.verdict;
        if (!v) return '-';
        if (!v.judged) return `not judged (${v.why})`;
        return v.grows ? `GROWS (+${showResource(r, v.growth)})` : 'no';
      }),
    ]);
  }
  return table(rows);
}

/** Writes bench/soak-results.json (kept out of git, like bench/chaos-results.json). */
export function writeSoakResults(doc: {
  minutes: number;
  intervalMinutes: number;
  elapsedSeconds: number;
  rounds: number;
  interrupted: boolean;
  broken: string[];
  summaries: readonly FaultSummary[];
  samples: readonly ResourceSample[];
  faults: readonly FaultResult[];
}): string {
  const file = join(repoRoot(), 'bench', 'soak-results.json');
  const verdicts = growthVerdicts(doc.samples);
  writeFileSync(
    file,
    `${JSON.stringify({ at: new Date().toISOString(), ...doc, growth: verdicts }, null, 2)}\n`,
  );
  return file;
}
