import type { HostMetrics } from '@pa-connector/redis-contracts';
import type { HostProbe } from './host-probe';
import {
  type CpuTimes,
  cpuPercent,
  parseLoadavg,
  parseMeminfo,
  parseProcStat,
  parseUptime,
} from './proc-parsers';

export interface HostMetricsOptions {
  probe: HostProbe;
  diskPath: string;
  now: () => number;
  /** CPU % is measured over at least this long; samples closer together reuse the last figure. */
  minCpuWindowMs?: number;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

/**
 * Host CPU, memory, disk, load and uptime from /proc and statfs. CPU % needs two samples: the
 * sampler keeps the previous one, so the figure covers the time since the last window.
 */
export class HostMetricsSampler {
  readonly #o: HostMetricsOptions;
  #baseline: { at: number; times: CpuTimes } | undefined;
  #lastCpu: number | null = null;

  constructor(o: HostMetricsOptions) {
    this.#o = o;
  }

  async sample(): Promise<HostMetrics> {
    const { probe } = this.#o;
    const errors: string[] = [];
    const part = async <T>(what: string, read: () => Promise<T>): Promise<T | null> => {
      try {
        return await read();
      } catch (err) {
        errors.push(`${what}: ${(err as Error).message}`);
        return null;
      }
    };
    const [cpu, memory, disk, load, uptimeSeconds] = await Promise.all([
      part('cpu', async () => this.#cpu(parseProcStat(await probe.readText('/proc/stat')))),
      part('memory', async () => {
        const m = parseMeminfo(await probe.readText('/proc/meminfo'));
        const used = m.totalBytes - m.availableBytes;
        return { ...m, usedPercent: m.totalBytes > 0 ? round1((used / m.totalBytes) * 100) : 0 };
      }),
      part('disk', async () => {
        const s = await probe.statfs(this.#o.diskPath);
        const usedBytes = (s.blocks - s.bfree) * s.bsize;
        const availableBytes = s.bavail * s.bsize;
        const usable = usedBytes + availableBytes;
        return {
          path: this.#o.diskPath,
          totalBytes: s.blocks * s.bsize,
          usedBytes,
          availableBytes,
          usedPercent: usable > 0 ? round1((usedBytes / usable) * 100) : 0,
        };
      }),
      part('load', async () => parseLoadavg(await probe.readText('/proc/loadavg'))),
      part('uptime', async () => parseUptime(await probe.readText('/proc/uptime'))),
    ]);
    return {
      cpuPercent: cpu ?? null,
      cpuCount: probe.cpuCount(),
      memory,
      disk,
      load,
      uptimeSeconds,
      errors,
    };
  }

  #cpu(times: CpuTimes): number | null {
    const now = this.#o.now();
    const base = this.#baseline;
    if (!base) {
      this.#baseline = { at: now, times };
      return null;
    }
    if (now - base.at < (this.#o.minCpuWindowMs ?? 1_000)) return this.#lastCpu;
    const pct = cpuPercent(base.times, times);
    this.#baseline = { at: now, times };
    if (pct !== undefined) this.#lastCpu = round1(pct);
    return this.#lastCpu;
  }
}
