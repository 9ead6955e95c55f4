import { metricName, type Registry } from '@pa-connector/metrics';
import { Counter } from 'prom-client';

/** Checks of the release and what the rollouts did to each service. */
export class UpdateMetrics {
  readonly #checks: Counter<'result'>;
  readonly #services: Counter<'service' | 'result'>;

  constructor(registry: Registry) {
    this.#checks = new Counter({
      name: metricName('update', 'checks_total'),
      help: 'Release checks by outcome (the state they ended in: up-to-date, updated, failed, ...).',
      labelNames: ['result'],
      registers: [registry],
    });
    this.#services = new Counter({
      name: metricName('update', 'service_updates_total'),
      help: 'Service containers replaced, by service and result (updated, trial-failed, rolled-back, failed, refused).',
      labelNames: ['service', 'result'],
      registers: [registry],
    });
  }

  check(result: string): void {
    this.#checks.inc({ result });
  }

  service(service: string, result: string): void {
    this.#services.inc({ service, result });
  }
}
