/** A timer that can be cancelled. */
export interface TimerHandle {
  cancel(): void;
}

/**
 * Time as a service's schedulers see it. Everything that waits or schedules takes a Clock so
 * tests drive time forward instead of sleeping.
 */
export interface Clock {
  now(): number;
  /** Calls `fn` after `ms`. The timer does not keep the process alive. */
  setTimer(fn: () => void, ms: number): TimerHandle;
}

/** A number in [0, 1), like Math.random; tests pass a fixed one. */
export type Random = () => number;

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(fn, ms) {
    const t = setTimeout(fn, Math.max(0, ms));
    t.unref();
    return { cancel: () => clearTimeout(t) };
  },
};
