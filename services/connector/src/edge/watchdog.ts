import { type BackoffPolicy, backoffDelay } from '@pa-connector/service-runtime';
import type { Clock, Random, TimerHandle } from '../clock';

export interface WatchdogOptions {
  clock: Clock;
  random: Random;
  /** Delay before starting openvpn again after it ended (capped, jittered, grows per failure). */
  backoff: BackoffPolicy;
  /** How long a tunnel may try to connect before its openvpn is restarted. */
  connectTimeoutMs: number;
  /** Start openvpn (again). */
  start(): void;
  /** The tunnel has been trying to connect for too long: end its openvpn. */
  stuck(elapsedMs: number): void;
}

/**
 * Decides when a tunnel's openvpn is started again: after it ended (backoff that resets once a
 * connection comes up) and when it has been connecting for too long. It only keeps timers; the
 * tunnel tells it what happened.
 */
export class Watchdog {
  readonly #o: WatchdogOptions;
  #failures = 0;
  #restartTimer: TimerHandle | undefined;
  #stuckTimer: TimerHandle | undefined;
  #connectingSince: number | undefined;
  #stopped = false;

  constructor(o: WatchdogOptions) {
    this.#o = o;
  }

  /** Consecutive ends of openvpn without a connection in between. */
  get failures(): number {
    return this.#failures;
  }

  /** openvpn runs and is not connected (first try, or the connection dropped). */
  connecting(): void {
    if (this.#stopped || this.#stuckTimer) return;
    const clock = this.#o.clock;
    this.#connectingSince = clock.now();
    this.#stuckTimer = clock.setTimer(() => {
      this.#stuckTimer = undefined;
      if (this.#stopped) return;
      this.#o.stuck(clock.now() - (this.#connectingSince ?? clock.now()));
    }, this.#o.connectTimeoutMs);
  }

  /** A connection is up: the stuck timer stops and the backoff starts over. */
  connected(): void {
    this.#stuckTimer?.cancel();
    this.#stuckTimer = undefined;
    this.#connectingSince = undefined;
    this.#failures = 0;
  }

  /** openvpn ended without being asked to: start it again later. Returns the delay (ms). */
  exited(): number {
    this.#stuckTimer?.cancel();
    this.#stuckTimer = undefined;
    this.#connectingSince = undefined;
    if (this.#stopped) return 0;
    this.#failures++;
    const delay = backoffDelay(this.#failures, this.#o.backoff, this.#o.random);
    this.#restartTimer?.cancel();
    this.#restartTimer = this.#o.clock.setTimer(() => {
      this.#restartTimer = undefined;
      if (!this.#stopped) this.#o.start();
    }, delay);
    return delay;
  }

  /** openvpn was ended on purpose to start again now (e.g. a new certificate): not a failure. */
  restartNow(): void {
    this.#stuckTimer?.cancel();
    this.#stuckTimer = undefined;
    this.#connectingSince = undefined;
    this.#restartTimer?.cancel();
    this.#restartTimer = undefined;
    if (this.#stopped) return;
    this.#restartTimer = this.#o.clock.setTimer(() => {
      this.#restartTimer = undefined;
      if (!this.#stopped) this.#o.start();
    }, 0);
  }

  stop(): void {
    this.#stopped = true;
    this.#restartTimer?.cancel();
    this.#stuckTimer?.cancel();
    this.#restartTimer = undefined;
    this.#stuckTimer = undefined;
  }
}
