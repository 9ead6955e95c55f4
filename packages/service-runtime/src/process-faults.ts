import type { Logger } from '@pa-connector/logger';
import type { Registry } from '@pa-connector/metrics';
import { Counter } from 'prom-client';

/** Name of the counter every service exposes; tests read it to prove it stays zero. */
export const UNHANDLED_REJECTIONS_METRIC = 'pa_process_unhandled_rejections_total';

/** Rejections logged one by one; beyond that one line per LOG_EVERY (a loop must not flood). */
const LOG_FIRST = 100;
const LOG_EVERY = 1_000;

/**
 * The process-wide safety net of a service. A promise rejection nobody handled is a bug of the
 * code that dropped it, not a reason to take the whole POP down: it is logged, counted in
 * `pa_process_unhandled_rejections_total`, and the service keeps serving. An uncaught exception
 * may have left state half-changed, so it stays fatal (Node's default), but is logged first.
 */
export class ProcessFaults {
  #rejections = 0;
  #logger: Logger | undefined;
  readonly #stderr: (line: string) => void;
  readonly #events: NodeJS.EventEmitter;
  readonly #onRejection = (reason: unknown) => this.#rejected(reason);
  readonly #onUncaught = (err: unknown, origin: string) => this.#uncaught(err, origin);

  constructor(events: NodeJS.EventEmitter, stderr: (line: string) => void) {
    this.#events = events;
    this.#stderr = stderr;
    events.on('unhandledRejection', this.#onRejection);
    events.on('uncaughtExceptionMonitor', this.#onUncaught);
  }

  get rejections(): number {
    return this.#rejections;
  }

  /** From here on faults go to `logger`, and the counter is exposed on `registry`. */
  attach(logger: Logger, registry?: Registry): void {
    this.#logger = logger;
    if (!registry || registry.getSingleMetric(UNHANDLED_REJECTIONS_METRIC)) return;
    const read = () => this.#rejections;
    new Counter({
      name: UNHANDLED_REJECTIONS_METRIC,
      help: 'Promise rejections no code handled (logged; the service kept running). Any is a bug.',
      registers: [registry],
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  }

  close(): void {
    this.#events.off('unhandledRejection', this.#onRejection);
    this.#events.off('uncaughtExceptionMonitor', this.#onUncaught);
  }

  #rejected(reason: unknown): void {
    this.#rejections++;
    const n = this.#rejections;
    if (n > LOG_FIRST && n % LOG_EVERY !== 0) return;
    if (this.#logger) {
      this.#logger.error(
        { err: reason, unhandledRejections: n },
        'unhandled promise rejection; the service keeps running',
      );
    } else {
      this.#stderr(`unhandled promise rejection (${n}): ${describe(reason)}`);
    }
  }

  #uncaught(err: unknown, origin: string): void {
    if (this.#logger) {
      this.#logger.fatal({ err, origin }, 'uncaught exception; the service exits');
      this.#logger.flush?.();
    } else {
      this.#stderr(`uncaught exception (${origin}): ${describe(err)}`);
    }
  }
}

function describe(v: unknown): string {
  return v instanceof Error ? (v.stack ?? v.message) : String(v);
}
