import { statusKb } from '../data-path/process-memory';

/** One reading of a service's memory: VmRSS and RssAnon from /proc, heap used from its /metrics. */
export interface MemoryReading {
  rssMb: number;
  /**
   * RssAnon: the resident pages that are the process's own (heap, malloc, stacks), without the
   * file-backed pages of the node binary and libraries, which every Node process on the host shares.
   */
  anonMb: number;
  /** prom-client's nodejs_heap_size_used_bytes; undefined when /metrics did not answer. */
  heapUsedMb: number | undefined;
}

const HEAP_USED = 'nodejs_heap_size_used_bytes';

/** The value of `metric` (first series) in a Prometheus text exposition; undefined when absent. */
function metricValue(text: string, metric: string): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(metric)) continue;
    const rest = line.slice(metric.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(value)) return value;
  }
  return undefined;
}

async function heapUsedBytes(baseUrl: string): Promise<number | undefined> {
  try {
    const res = await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(3_000) });
    if (res.status !== 200) return undefined;
    return metricValue(await res.text(), HEAP_USED);
  } catch {
    return undefined;
  }
}

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

/**
 * The RSS first, then the heap: the scrape of /metrics allocates in the service, which would
 * otherwise show in the RSS read after it.
 */
async function readServiceMemory(pid: number, baseUrl: string): Promise<MemoryReading> {
  const rssMb = mb(statusKb(pid, 'VmRSS') * 1024);
  const anonMb = mb(statusKb(pid, 'RssAnon') * 1024);
  const heap = await heapUsedBytes(baseUrl);
  return { rssMb, anonMb, heapUsedMb: heap === undefined ? undefined : mb(heap) };
}

/**
 * `count` readings of every service, `everyMs` apart; per service the largest RSS and the
 * largest heap seen (idle memory still moves with every timer's garbage, so the max is the
 * honest figure).
 */
export async function idleMemory(
  services: Record<string, { pid: () => number; url: string }>,
  count: number,
  everyMs: number,
): Promise<Record<string, MemoryReading>> {
  const out: Record<string, MemoryReading> = {};
  for (let i = 0; i < count; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, everyMs));
    for (const [name, s] of Object.entries(services)) {
      const r = await readServiceMemory(s.pid(), s.url);
      const prev = out[name];
      out[name] = {
        rssMb: Math.max(prev?.rssMb ?? 0, r.rssMb),
        anonMb: Math.max(prev?.anonMb ?? 0, r.anonMb),
        heapUsedMb:
          r.heapUsedMb === undefined
            ? prev?.heapUsedMb
            : Math.max(prev?.heapUsedMb ?? 0, r.heapUsedMb),
      };
    }
  }
  return out;
}
