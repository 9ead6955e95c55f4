import { metricName, type Registry } from '@pa-connector/metrics';
import { Counter, Gauge } from 'prom-client';

/** Pushes of the POP status: how many got through, how many failed, when the last one did. */
export class PushMetrics {
  readonly #attempts: Counter<'result'>;
  readonly #lastSuccess: Gauge;

  constructor(registry: Registry, pending: () => boolean) {
    this.#attempts = new Counter({
      name: metricName('pop-manager', 'status_pushes_total'),
      help: 'POP status pushes to the connector internal API, by result (ok, failed).',
      labelNames: ['result'],
      registers: [registry],
    });
    this.#attempts.inc({ result: 'ok' }, 0);
    this.#attempts.inc({ result: 'failed' }, 0);
    this.#lastSuccess = new Gauge({
      name: metricName('pop-manager', 'status_push_last_success_timestamp_seconds'),
      help: 'Unix time of the last POP status the connector accepted (0: none yet).',
      registers: [registry],
    });
    new Gauge({
      name: metricName('pop-manager', 'status_push_pending'),
      help: '1 while a POP status waits to be delivered.',
      registers: [registry],
      collect() {
        this.set(pending() ? 1 : 0);
      },
    });
  }

  attempt(ok: boolean, atMs: number): void {
    this.#attempts.inc({ result: ok ? 'ok' : 'failed' });
    if (ok) this.#lastSuccess.set(atMs / 1000);
  }
}
