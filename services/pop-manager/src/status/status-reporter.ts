import type { Logger } from '@pa-connector/logger';
import type { Clock, Random, TimerHandle } from '../clock';
import type { StatusPusher } from '../push/status-pusher';
import type { CollectedStatus, PopManagerStatus } from './pop-status';

export interface StatusReporterOptions {
  collect: () => Promise<CollectedStatus>;
  store: (status: PopManagerStatus) => Promise<void>;
  pusher: Pick<StatusPusher, 'offer' | 'state'>;
  clock: Clock;
  random: Random;
  intervalMs: number;
  /** Each period is intervalMs × (1 ± jitter), so many POPs do not report in step. */
  jitter?: number;
  logger: Logger;
}

/**
 * The POP status on a jittered ticker: collect, hand to the pusher (newest wins), store in
 * Redis. Collection never stops the ticker; a Redis outage only shows in `collectErrors`.
 */
export class StatusReporter {
  readonly #o: StatusReporterOptions;
  #timer: TimerHandle | undefined;
  #running = false;
  #latest: PopManagerStatus | undefined;
  #current: Promise<PopManagerStatus> | undefined;
  #waiters: Array<(s: PopManagerStatus) => void> = [];
  #storeFailing = false;

  constructor(o: StatusReporterOptions) {
    this.#o = o;
  }

  /** The first report now, then one every jittered interval. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#schedule(0);
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#timer?.cancel();
    this.#timer = undefined;
    await this.#current?.catch(() => {});
  }

  /** The next period's delay for a random draw r in [0, 1). */
  periodMs(r: number): number {
    const j = this.#o.jitter ?? 0.2;
    return Math.round(this.#o.intervalMs * (1 - j + 2 * j * r));
  }

  latest(): PopManagerStatus | undefined {
    return this.#latest;
  }

  /** Resolves with the next report made (a test hook that replaces sleeping). */
  nextReport(): Promise<PopManagerStatus> {
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Collects, offers and stores one status now. */
  report(): Promise<PopManagerStatus> {
    const run = this.#report();
    this.#current = run;
    return run;
  }

  async #report(): Promise<PopManagerStatus> {
    const collected = await this.#o.collect();
    this.#o.pusher.offer(collected);
    const status: PopManagerStatus = { ...collected, push: this.#o.pusher.state() };
    this.#latest = status;
    try {
      await this.#o.store(status);
      if (this.#storeFailing) this.#o.logger.info('POP status stored in Redis again');
      this.#storeFailing = false;
    } catch (err) {
      if (!this.#storeFailing) {
        this.#o.logger.warn(
          { reason: (err as Error).message },
          'cannot store the POP status in Redis',
        );
      }
      this.#storeFailing = true;
    }
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w(status);
    return status;
  }

  #schedule(ms: number): void {
    this.#timer = this.#o.clock.setTimer(() => {
      this.#timer = undefined;
      void this.report()
        .catch((err: Error) => this.#o.logger.error({ err }, 'collecting the POP status failed'))
        .finally(() => {
          if (this.#running) this.#schedule(this.periodMs(this.#o.random()));
        });
    }, ms);
  }
}
