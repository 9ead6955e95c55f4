#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { ExitCode } from '@pa-connector/config';
import { positionals } from './cli-args';

/**
 * The functions with the most self time in a V8 CPU profile (`node --cpu-prof`'s .cpuprofile
 * JSON): samples are counted per node, nodes are summed per function (name, file, line), so a
 * function reached by several call paths is one row.
 *
 *   node bench/dist/cpu-profile-top.js <file.cpuprofile> [count, default 25]
 */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  startTime: number;
  endTime: number;
}

interface TopRow {
  fn: string;
  where: string;
  samples: number;
  percent: number;
}

function topSelfTime(profile: Profile, count: number): TopRow[] {
  const perNode = new Map<number, number>();
  for (const id of profile.samples) perNode.set(id, (perNode.get(id) ?? 0) + 1);
  const perFunction = new Map<string, TopRow>();
  for (const n of profile.nodes) {
    const samples = perNode.get(n.id) ?? 0;
    if (samples === 0) continue;
    const f = n.callFrame;
    const where = f.url ? `${basename(f.url)}:${f.lineNumber + 1}` : '';
    const fn = f.functionName || '(anonymous)';
    const key = `${fn}\0${where}`;
    const row = perFunction.get(key) ?? { fn, where, samples: 0, percent: 0 };
    row.samples += samples;
    perFunction.set(key, row);
  }
  const total = profile.samples.length || 1;
  return [...perFunction.values()]
    .map((r) => ({ ...r, percent: Math.round((r.samples / total) * 1000) / 10 }))
    .sort((a, b) => b.samples - a.samples)
    .slice(0, count);
}

if (require.main === module) {
  const [file, n] = positionals();
  if (!file) {
    process.stderr.write('usage: cpu-profile-top <file.cpuprofile> [count]\n');
    process.exit(ExitCode.usage);
  }
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const seconds = (profile.endTime - profile.startTime) / 1e6;
  process.stdout.write(`${profile.samples.length} samples over ${seconds.toFixed(1)} s\n`);
  for (const r of topSelfTime(profile, Number(n ?? 25))) {
    process.stdout.write(`${r.percent.toFixed(1).padStart(5)}%  ${r.fn}  ${r.where}\n`);
  }
}
