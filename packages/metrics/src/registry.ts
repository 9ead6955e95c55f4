import { collectDefaultMetrics, Registry } from 'prom-client';

/** `pa_<service>_<name>`, with dashes turned into underscores (pop-manager -> pop_manager). */
export function metricName(service: string, name: string): string {
  return `pa_${service.replace(/-/g, '_')}_${name}`;
}

/**
 * One registry per service, passed to whoever registers metrics (never the global one, so
 * tests can build many apps in one process). prom-client's process and Node metrics keep their
 * standard names (`process_cpu_seconds_total`, `nodejs_eventloop_lag_seconds`), which stock
 * dashboards expect, and carry the service in a `service` label instead of a prefix.
 */
export function createRegistry(service: string, opts: { defaultMetrics?: boolean } = {}): Registry {
  const registry = new Registry();
  if (opts.defaultMetrics !== false) {
    collectDefaultMetrics({ register: registry, labels: { service } });
  }
  return registry;
}

export type { Registry };
