import type { Clock, TimerHandle, TimerSource } from '@pa-connector/service-runtime';
import type { Clock as DateClock } from '@pa-connector/sse-emulator';

/** Lets pending promise callbacks run (several rounds, for chains of awaits). */
export async function flush(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((r) => setImmediate(r));
}

interface FakeTimer {
  at: number;
  fn: () => void;
}

/**
 * A clock that only moves when the test says so. It is a service's `Clock` (and the raw
 * `TimerSource` a Clock is built on, so `clockFrom(fake)` works too); `dateClock` is the same
 * time as the emulator's clock sees it.
 */
export class FakeClock implements Clock, TimerSource {
  #now: number;
  #seq = 0;
  readonly #timers = new Map<number, FakeTimer>();

  constructor(start: number | Date = Date.parse('2030-01-01T00:00:00Z')) {
    this.#now = typeof start === 'number' ? start : start.getTime();
  }

  /** Bound: callers may pass `clock.now` on its own. */
  readonly now = (): number => this.#now;

  /** The emulator's view of this clock: the same instant, as a Date. */
  readonly dateClock: DateClock = { now: () => new Date(this.#now) };

  setTimer(fn: () => void, ms: number): TimerHandle {
    const id = this.#add(fn, ms);
    return { cancel: () => this.#timers.delete(id) };
  }

  setTimeout(fn: () => void, ms: number): unknown {
    return this.#add(fn, ms);
  }

  clearTimeout(handle: unknown): void {
    this.#timers.delete(handle as number);
  }

  #add(fn: () => void, ms: number): number {
    const id = ++this.#seq;
    const delay = Number.isNaN(ms) ? 0 : Math.max(0, ms);
    this.#timers.set(id, { at: this.#now + delay, fn });
    return id;
  }

  /** Delays of the timers now pending, from now, soonest first. */
  pending(): number[] {
    return [...this.#timers.values()].map((t) => t.at - this.#now).sort((a, b) => a - b);
  }

  /** Waits (in real time) until some timer is pending: work before it may do real I/O. */
  async waitForTimer(timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.#timers.size === 0) {
      if (Date.now() > deadline) throw new Error(`no timer was set within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /**
   * Moves time forward by `ms`, firing due timers in order and letting their work run. Work that
   * waits on real I/O (files) may outlast the flush: `settle` resolves once it is done, so time
   * does not move on while it is still under way; with it, `rounds` of flush after each timer
   * may be fewer (thousands of timers make those rounds most of a long run's cost).
   */
  async advance(
    ms: number,
    o: { settle?: () => Promise<void>; rounds?: number } = {},
  ): Promise<void> {
    if (!Number.isFinite(ms) || ms < 0) {
      throw new RangeError(`advance: ms must be a finite number >= 0, got ${ms}`);
    }
    const end = this.#now + ms;
    await flush();
    for (;;) {
      let next: [number, FakeTimer] | undefined;
      for (const e of this.#timers) if (e[1].at <= end && (!next || e[1].at < next[1].at)) next = e;
      if (!next) break;
      this.#timers.delete(next[0]);
      this.#now = next[1].at;
      next[1].fn();
      await flush(o.rounds);
      if (o.settle) await o.settle();
    }
    this.#now = end;
    await flush();
  }
}
