import { type LogShippingConfig, RedisLogSink } from '@pa-connector/logger';
import { metricName, type Registry } from '@pa-connector/metrics';
import { Counter, Gauge } from 'prom-client';

/**
 * The service's log sink to the Redis stream, or undefined when `PA_LOG_TO_REDIS` is off. Give
 * it to createLogger as `logStream`, then `attach` it once the Redis client exists.
 */
export function logShippingSink(
  config: LogShippingConfig,
  service: string,
): RedisLogSink | undefined {
  if (!config.logToRedis) return undefined;
  return new RedisLogSink({
    service,
    maxBufferLines: config.logBufferLines,
    maxStreamLength: config.logStreamMaxLength,
  });
}

/** The service's own log shipping (lines to the Redis stream), read from the sink on scrape. */
export function registerLogShippingMetrics(
  registry: Registry,
  service: string,
  sink: RedisLogSink,
): void {
  new Gauge({
    name: metricName(service, 'log_shipping_buffered_lines'),
    help: 'Log lines waiting to be shipped to Redis.',
    registers: [registry],
    collect() {
      this.set(sink.stats().buffered);
    },
  });
  new Counter({
    name: metricName(service, 'log_shipping_sent_lines_total'),
    help: 'Log lines shipped to the Redis stream.',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(sink.stats().sentLines);
    },
  });
  new Counter({
    name: metricName(service, 'log_shipping_dropped_lines_total'),
    help: 'Log lines that will never reach Redis: buffer_full (Redis unreachable too long), oversize, closed.',
    labelNames: ['reason'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [reason, n] of Object.entries(sink.stats().dropped)) this.inc({ reason }, n);
    },
  });
}
