import type { Clock, TimerHandle } from '../../src/clock';

/** Lets pending promise callbacks run (several rounds, for chains of awaits). */
export async function flush(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((r) => setImmediate(r));
}

/** A clock that only moves when the test says so. */
export class FakeClock implements Clock {
  #now: number;
  #seq = 0;
  readonly #timers = new Map<number, { at: number; fn: () => void }>();

  constructor(start = Date.parse('2030-01-01T00:00:00Z')) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimer(fn: () => void, ms: number): TimerHandle {
    const id = ++this.#seq;
    this.#timers.set(id, { at: this.#now + Math.max(0, ms), fn });
    return { cancel: () => this.#timers.delete(id) };
  }

  /** Delays of the timers now pending, from now, soonest first. */
  pending(): number[] {
    return [...this.#timers.values()].map((t) => t.at - this.#now).sort((a, b) => a - b);
  }

  /** Waits (in real time) until some timer is pending: work before it may do real I/O. */
  async waitForTimer(timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.#timers.size === 0) {
      if (Date.now() > deadline) throw new Error('no timer was set');
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
    const end = this.#now + ms;
    await flush();
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | undefined;
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
