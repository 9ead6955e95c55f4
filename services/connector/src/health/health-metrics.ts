import { metricName, type Registry } from '@pa-connector/metrics';
import type { BestEffortWriter } from '@pa-connector/service-runtime';
import { Counter, Gauge, Histogram } from 'prom-client';

const name = (n: string) => metricName('connector', n);

/** Metrics of app health checks, registered on the connector's registry. */
export function healthMetrics(registry: Registry) {
  const registers = [registry];
  let watched: BestEffortWriter | undefined;
  new Counter({
    name: name('health_redis_writes_coalesced_total'),
    help: 'App health writes to Redis replaced by a newer one before they were sent (Redis slow or unreachable).',
    registers,
    collect() {
      this.reset();
      this.inc(watched?.stats().coalesced ?? 0);
    },
  });
  return {
    appUp: new Gauge({
      name: name('app_up'),
      help: 'App state: 1 when every server of the app is up, 0.5 when some are (unhealthy), 0 when none is (down).',
      labelNames: ['app'] as const,
      registers,
    }),
    serverUp: new Gauge({
      name: name('app_server_up'),
      help: 'Server state as health checks see it: 1 up, 0 down.',
      labelNames: ['app', 'server'] as const,
      registers,
    }),
    probeDuration: new Histogram({
      name: name('health_probe_duration_seconds'),
      help: 'Time of one health probe of one server, by check type (tcp, http) and result (ok, fail).',
      labelNames: ['type', 'result'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    roundDuration: new Gauge({
      name: name('health_round_duration_seconds'),
      help: 'Time the last full round of health probes (every server of every app once) took.',
      registers,
    }),
    roundProbes: new Gauge({
      name: name('health_round_probes'),
      help: 'Probes of the last full round of health probes (one per server of every app).',
      registers,
    }),
    rounds: new Counter({
      name: name('health_rounds_total'),
      help: 'Full rounds of health probes done.',
      registers,
    }),
    redisWrites: new Gauge({
      name: name('health_redis_write_failing'),
      help: '1 while writing app health to Redis fails, else 0.',
      registers,
    }),
    /** Reports the counters of the writer that puts app health in Redis, read on scrape. */
    watchWriter(writer: BestEffortWriter) {
      watched = writer;
    },
  };
}

export type HealthMetrics = ReturnType<typeof healthMetrics>;
