import type { Clock, Random, TimerHandle } from '../clock';
import { type BackoffPolicy, backoffDelay } from './backoff';

export interface RetryTimerOptions {
  clock: Clock;
  random: Random;
  backoff: BackoffPolicy;
  /** Called once the wait after a failure is over. */
  onRetry: () => void;
}

/**
 * Failures in a row and the one timer that waits out the backoff after the latest, for senders
 * that keep their own queue and, when the wait is over, send whatever is newest by then (rather
 * than `retry`, which repeats one call).
 */
export class RetryTimer {
  readonly #o: RetryTimerOptions;
  #failures = 0;
  #timer: TimerHandle | undefined;

  constructor(o: RetryTimerOptions) {
    this.#o = o;
  }

  /** Failures since the last success. */
  get failures(): number {
    return this.#failures;
  }

  /** True while a wait runs: the sender holds back until `onRetry`. */
  get waiting(): boolean {
    return this.#timer !== undefined;
  }

  /** The delay before the next try, for the failure count given (1 = first failure). */
  delay(failures: number): number {
    return backoffDelay(failures, this.#o.backoff, this.#o.random);
  }

  /** Counts one more failure and starts its wait; returns the delay. */
  failed(): number {
    this.#failures++;
    const delayMs = this.delay(this.#failures);
    this.#timer?.cancel();
    this.#timer = this.#o.clock.setTimer(() => {
      this.#timer = undefined;
      this.#o.onRetry();
    }, delayMs);
    return delayMs;
  }

  /** A success: the count starts again. Returns the failures it ends (0 when there were none). */
  succeeded(): number {
    const ended = this.#failures;
    this.#failures = 0;
    return ended;
  }

  /** Ends a running wait without calling `onRetry`. */
  cancel(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
  }
}
