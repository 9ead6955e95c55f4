import { loadavg } from 'node:os';
import { fds, rssKb } from '../chaos/resources';
import { SIDE_SERVICES, type Stack, type StackService } from '../stack';
import type { ResourceName } from './growth';

/** One service's resources at one moment (a value is absent when it could not be read). */
export type ServiceResources = Partial<Record<ResourceName, number>> & { pid: number };

/** Every service's resources at one sample. */
export interface ResourceSample {
  /** Minutes since the soak started (0: the warm-up sample, right after the stack started). */
  minute: number;
  at: string;
  /** The machine's 1-minute load average when the sample was taken. */
  loadAverage: number;
  services: Record<string, ServiceResources>;
}

/**
 * A default metric of prom-client, by its standard name and whatever its labels (each service
 * adds `service`): `nodejs_heap_size_used_bytes`, `nodejs_eventloop_lag_p99_seconds`.
 */
export function readGauge(metricsText: string, name: string): number | undefined {
  const re = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm');
  const m = re.exec(metricsText);
  if (!m) return undefined;
  const v = Number(m[1]);
  return Number.isFinite(v) ? v : undefined;
}

async function metricsText(url: string): Promise<string | undefined> {
  try {
    const res = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(5_000) });
    return res.status === 200 ? await res.text() : undefined;
  } catch {
    return undefined;
  }
}

/**
 * RSS and descriptors from /proc, heap used and event loop delay p99 from /metrics. prom-client
 * resets its event loop delay histogram when /metrics is read, so the p99 covers the time since
 * the previous read: with one read per sample, the interval.
 */
async function sampleService(s: StackService): Promise<ServiceResources> {
  const pid = s.process.pid;
  const out: ServiceResources = { pid };
  const kb = rssKb(pid);
  const rss = kb === undefined ? undefined : kb * 1024;
  const f = fds(pid);
  if (rss !== undefined) out.rssBytes = rss;
  if (f !== undefined) out.fds = f;
  const text = await metricsText(s.url);
  if (text !== undefined) {
    const heap = readGauge(text, 'nodejs_heap_size_used_bytes');
    const lag = readGauge(text, 'nodejs_eventloop_lag_p99_seconds');
    if (heap !== undefined) out.heapUsedBytes = heap;
    if (lag !== undefined) out.eventLoopP99Ms = lag * 1000;
  }
  return out;
}

/** The connector and every side service the stack runs. */
function soakServices(stack: Stack): StackService[] {
  const side = SIDE_SERVICES.map((n) => stack.services[n]).filter(
    (s): s is StackService => s !== undefined,
  );
  return [stack.connector, ...side];
}

export async function sampleAll(stack: Stack, minute: number): Promise<ResourceSample> {
  const services = soakServices(stack);
  const values = await Promise.all(services.map(sampleService));
  return {
    minute,
    at: new Date().toISOString(),
    loadAverage: loadavg()[0] ?? 0,
    services: Object.fromEntries(services.map((s, i) => [s.name, values[i] as ServiceResources])),
  };
}
