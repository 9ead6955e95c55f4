/** Parsers of the /proc files the host metrics come from. Each throws on text it cannot read. */

import type { LoadAverage } from '@pa-connector/redis-contracts';

/** Jiffies the CPUs spent idle (idle + iowait) and in total, from the `cpu` line of /proc/stat. */
export interface CpuTimes {
  idle: number;
  total: number;
}

export function parseProcStat(text: string): CpuTimes {
  const line = text.split('\n').find((l) => /^cpu\s/.test(l));
  if (!line) throw new Error('/proc/stat has no "cpu" line');
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  if (v.length < 4 || v.some((n) => !Number.isFinite(n))) {
    throw new Error(`/proc/stat "cpu" line is not numbers: ${JSON.stringify(line)}`);
  }
  // user nice system idle iowait irq softirq steal (guest and guest_nice are inside user/nice).
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = v;
  return {
    idle: idle + iowait,
    total: user + nice + system + idle + iowait + irq + softirq + steal,
  };
}

/** Busy share of the CPUs between two samples, 0-100, or undefined when no time passed. */
export function cpuPercent(prev: CpuTimes, cur: CpuTimes): number | undefined {
  const total = cur.total - prev.total;
  if (total <= 0) return undefined;
  const busy = total - (cur.idle - prev.idle);
  return Math.min(100, Math.max(0, (busy / total) * 100));
}

export interface MemInfo {
  totalBytes: number;
  /** What can be given to programs without swapping (MemAvailable). */
  availableBytes: number;
}

export function parseMeminfo(text: string): MemInfo {
  const kb = (name: string): number | undefined => {
    const m = new RegExp(`^${name}:\\s+(\\d+)\\s*kB`, 'm').exec(text);
    return m ? Number(m[1]) * 1024 : undefined;
  };
  const total = kb('MemTotal');
  if (total === undefined) throw new Error('/proc/meminfo has no MemTotal');
  // Kernels before 3.14 have no MemAvailable: free + buffers + cache is the old estimate.
  const available =
    kb('MemAvailable') ?? (kb('MemFree') ?? 0) + (kb('Buffers') ?? 0) + (kb('Cached') ?? 0);
  return { totalBytes: total, availableBytes: available };
}

export function parseLoadavg(text: string): LoadAverage {
  const [one, five, fifteen] = text.trim().split(/\s+/).map(Number);
  if (![one, five, fifteen].every((n) => Number.isFinite(n))) {
    throw new Error(`/proc/loadavg is not "1m 5m 15m ...": ${JSON.stringify(text.trim())}`);
  }
  return { one: one as number, five: five as number, fifteen: fifteen as number };
}

/** Seconds since boot, from /proc/uptime. */
export function parseUptime(text: string): number {
  const first = text.trim().split(/\s+/)[0] ?? '';
  const s = first === '' ? Number.NaN : Number(first);
  if (!Number.isFinite(s))
    throw new Error(`/proc/uptime is not "seconds ...": ${JSON.stringify(text.trim())}`);
  return s;
}
