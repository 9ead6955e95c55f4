#!/usr/bin/env node
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { ExitCode } from '@pa-connector/config';
/**
 * `pnpm bench`: runs every benchmark (or those named with `--only a,b`), prints one table of
 * figures and writes them all to bench/results.json. Figures only: nothing here passes or fails
 * on a number. A benchmark that fails is reported and the others still run; the exit code is then 1.
 */
import { option } from './cli-args';
import { runDataPathBench } from './data-path';
import { runHealthScaleBench } from './health-scale';
import { runLogPipelineBench } from './log-pipeline';
import { runPopStartBench } from './pop-start';
import { runTunnelBench } from './tunnels';

type Figures = Record<string, number | string | boolean>;

interface Bench {
  name: string;
  /** What the figures measure, for the table. */
  about: string;
  run: () => Promise<Figures>;
}

const BENCHES: Bench[] = [
  {
    name: 'log-pipeline',
    about: 'service -> Redis stream -> logging files, lines/s with a loss check',
    run: () => runLogPipelineBench(),
  },
  {
    name: 'tunnels',
    about: 'seconds to both tunnels up, to notice a dead gateway, to reconnect when it returns',
    run: () => runTunnelBench(),
  },
  {
    name: 'data-path',
    about:
      'gateway -> app through the raw tunnel, the connector proxy and haproxy: throughput, 1 KiB latency, connections/s; RSS with 10 000 connections; failover',
    run: () => runDataPathBench(),
  },
  {
    name: 'health-scale',
    about:
      'health checks of 10 000 servers in 1 000 apps (a tenth refusing or black-holed): round time, connector CPU and RSS, time to publish a change',
    run: () => runHealthScaleBench(),
  },
  {
    name: 'pop-start',
    about:
      'connector spawn to enrolled with both tunnels up (split); idle RSS and heap of the four services',
    run: () => runPopStartBench(),
  },
];

function selected(): Bench[] {
  const only = option('only');
  if (only === undefined) return BENCHES;
  const names = (only === true ? '' : only).split(',').filter(Boolean);
  const unknown = names.filter((n) => !BENCHES.some((b) => b.name === n));
  if (names.length === 0 || unknown.length > 0) {
    process.stderr.write(
      `bench: --only takes names from ${BENCHES.map((b) => b.name).join(', ')}` +
        (unknown.length ? `; unknown: ${unknown.join(', ')}` : '') +
        '\n',
    );
    process.exit(ExitCode.usage);
  }
  return BENCHES.filter((b) => names.includes(b.name));
}

function table(results: Record<string, Figures | { error: string }>): string {
  const rows: string[][] = [['bench', 'figure', 'value']];
  for (const [bench, figures] of Object.entries(results)) {
    for (const [k, v] of Object.entries(figures)) {
      if (k === 'bench') continue;
      rows.push([bench, k, String(v)]);
    }
  }
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? [];
  return rows
    .map((r) =>
      r
        .map((cell, c) => cell.padEnd(widths[c] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')
    .concat('\n');
}

async function main(): Promise<void> {
  const results: Record<string, Figures | { error: string }> = {};
  let failed = 0;
  for (const b of selected()) {
    process.stderr.write(`bench: ${b.name} (${b.about}) ...\n`);
    const started = Date.now();
    try {
      results[b.name] = await b.run();
      process.stderr.write(
        `bench: ${b.name} done in ${((Date.now() - started) / 1000).toFixed(1)}s\n`,
      );
    } catch (err) {
      failed++;
      const message = err instanceof Error ? err.message : String(err);
      results[b.name] = { error: message };
      process.stderr.write(`bench: ${b.name} failed: ${message}\n`);
    }
  }
  process.stdout.write(table(results));
  const file = join(__dirname, '..', 'results.json');
  const doc = {
    measuredAt: new Date().toISOString(),
    machine: { cpus: cpus().length, memoryBytes: totalmem(), node: process.version },
    results,
  };
  writeFileSync(file, `${JSON.stringify(doc, null, 2)}\n`);
  process.stdout.write(`figures written to ${file}\n`);
  if (failed > 0) process.exitCode = ExitCode.failed;
}

void main();
