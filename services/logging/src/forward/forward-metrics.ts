import { metricName, type Registry } from '@pa-connector/metrics';
import { Counter, Gauge } from 'prom-client';
import type { ForwardDropReason, ForwardObserver } from './log-forwarder';

const m = (name: string) => metricName('logging', name);

/** Metrics of forwarding log batches to the SSE. */
export class ForwardMetrics implements ForwardObserver {
  readonly forwardedEntries: Counter;
  readonly droppedEntries: Counter<'reason'>;
  readonly failures: Counter;

  constructor(registry: Registry, buffered: () => number) {
    const registers = [registry];
    this.forwardedEntries = new Counter({
      name: m('forwarded_entries_total'),
      help: 'Log entries the connector accepted for the SSE.',
      registers,
    });
    this.droppedEntries = new Counter({
      name: m('forward_dropped_entries_total'),
      help: 'Log entries given up: buffer_full (oldest dropped while unreachable), rejected (4xx), too_large, shutdown (unsent at stop).',
      labelNames: ['reason'],
      registers,
    });
    this.failures = new Counter({
      name: m('forward_failures_total'),
      help: 'Failed forwarding attempts that are retried (connector or SSE unreachable, 5xx, 408, 429).',
      registers,
    });
    new Gauge({
      name: m('forward_buffered_entries'),
      help: 'Log entries waiting to be forwarded, a batch in flight included.',
      registers,
      collect() {
        this.set(buffered());
      },
    });
  }

  forwarded(entries: number): void {
    this.forwardedEntries.inc(entries);
  }

  dropped(reason: ForwardDropReason, entries: number): void {
    this.droppedEntries.inc({ reason }, entries);
  }

  failure(): void {
    this.failures.inc();
  }
}
