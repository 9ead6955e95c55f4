import type { Clock, TimerHandle } from '../clock';

export interface ManagementProbeOptions {
  clock: Clock;
  /** Time between the end of one probe and the start of the next. */
  intervalMs: number;
  /** An answer must arrive within this long, or openvpn is taken for frozen. */
  timeoutMs: number;
  /** A cheap management command; settles when openvpn answered (any answer). */
  ask(): Promise<unknown>;
  /** No answer within `timeoutMs`: the tunnel is dead. */
  unanswered(reason: string): void;
}

/**
 * Asks openvpn's management interface a cheap question every interval and expects an answer
 * within a deadline. A process that is stopped (SIGSTOP), deadlocked or swapped out keeps its
 * socket open and its exit status unset, so nothing else would notice it: its silence here is
 * the only sign. The deadline runs on our clock, not on the client's command timeout, so it
 * holds even when the command waits behind another one in the client's queue.
 */
export class ManagementProbe {
  readonly #o: ManagementProbeOptions;
  #timer: TimerHandle | undefined;
  #deadline: TimerHandle | undefined;
  #stopped = false;

  constructor(o: ManagementProbeOptions) {
    this.#o = o;
  }

  start(): void {
    if (this.#stopped || this.#timer || this.#deadline) return;
    this.#timer = this.#o.clock.setTimer(() => this.#probe(), this.#o.intervalMs);
  }

  stop(): void {
    this.#stopped = true;
    this.#timer?.cancel();
    this.#deadline?.cancel();
    this.#timer = undefined;
    this.#deadline = undefined;
  }

  #probe(): void {
    this.#timer = undefined;
    if (this.#stopped) return;
    const { clock, timeoutMs } = this.#o;
    const asked = clock.now();
    let settled = false;
    const fail = (reason: string) => {
      if (settled || this.#stopped) return;
      settled = true;
      this.stop();
      this.#o.unanswered(reason);
    };
    this.#deadline = clock.setTimer(() => {
      this.#deadline = undefined;
      fail(`the management interface did not answer within ${timeoutMs} ms`);
    }, timeoutMs);
    // An error answer (or a closed connection, which the tunnel handles itself) is not silence.
    const answered = () => {
      if (settled || this.#stopped) return;
      settled = true;
      this.#deadline?.cancel();
      this.#deadline = undefined;
      const took = clock.now() - asked;
      this.#timer = clock.setTimer(
        () => this.#probe(),
        Math.max(0, this.#o.intervalMs - Math.min(took, this.#o.intervalMs)),
      );
    };
    this.#o.ask().then(answered, answered);
  }
}
