import { LogField, type Logger } from '@pa-connector/logger';
import type { Clock, TimerHandle } from '../clock';
import { type RefusalReason, refusalStatus } from './responses';

interface Tally {
  count: number;
  status: number;
}

/**
 * Refusal logging whose volume does not follow the attacker's: the first refusal of each reason
 * in an interval is logged with its details (what an operator needs to fix a catalog or a
 * client), the others are only counted, and one line per reason at the end of the interval
 * says how many there were. A flood of 10 000 bad connections costs a few lines, not 10 000.
 */
export class RefusalLog {
  readonly #log: Logger;
  readonly #clock: Clock;
  readonly #intervalMs: number;
  readonly #tallies = new Map<RefusalReason, Tally>();
  #timer: TimerHandle | undefined;
  #since = 0;

  constructor(o: { logger: Logger; clock: Clock; intervalMs: number }) {
    this.#log = o.logger;
    this.#clock = o.clock;
    this.#intervalMs = o.intervalMs;
  }

  refused(reason: RefusalReason, fields: Record<string, unknown>): void {
    const t = this.#tallies.get(reason);
    if (t) {
      t.count++;
      return;
    }
    const status = refusalStatus(reason);
    this.#tallies.set(reason, { count: 1, status });
    this.#log.warn({ reason, [LogField.status]: status, ...fields }, 'proxy refused connection');
    if (!this.#timer) {
      this.#since = this.#clock.now();
      this.#timer = this.#clock.setTimer(() => this.flush(), this.#intervalMs);
    }
  }

  /** Logs the counts of the interval now ending (reasons seen more than once) and starts anew. */
  flush(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
    const intervalMs = this.#clock.now() - this.#since;
    for (const [reason, t] of this.#tallies) {
      if (t.count > 1) {
        this.#log.warn(
          { reason, [LogField.status]: t.status, count: t.count, intervalMs },
          'proxy refusals in the last interval',
        );
      }
    }
    this.#tallies.clear();
  }
}
