import { NODE_TIMER_LIMIT_MS } from '@pa-connector/config';

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
  /**
   * Calls `fn` after `ms`, however long that is. A negative or NaN delay fires as soon as
   * possible; an infinite one never fires. The timer does not keep the process alive.
   */
  setTimer(fn: () => void, ms: number): TimerHandle;
}

/** A number in [0, 1), like Math.random; tests pass a fixed one. */
export type Random = () => number;

/**
 * The longest delay Node's timers honour (2^31-1 ms, 24.8 days): above it `setTimeout` warns
 * and fires after 1 ms, which turned a year-long certificate's renewal into a tight loop.
 */
export const MAX_TIMER_HOP_MS = NODE_TIMER_LIMIT_MS;

/** The raw timers a Clock is built on; tests pass a fake one to watch each hop. */
export interface TimerSource {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const nodeTimerSource: TimerSource = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const t = setTimeout(fn, ms);
    t.unref();
    return t;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/**
 * A Clock whose timers accept any delay: a long one is a chain of hops of at most
 * MAX_TIMER_HOP_MS, each re-reading `now()` so the deadline holds however the hops drift.
 */
export function clockFrom(source: TimerSource): Clock {
  return {
    now: () => source.now(),
    setTimer(fn, ms) {
      if (ms === Number.POSITIVE_INFINITY) return { cancel: () => undefined };
      const delay = Number.isNaN(ms) ? 0 : Math.max(ms, 0);
      const deadline = source.now() + delay;
      let handle: unknown;
      let cancelled = false;
      const arm = (remaining: number) => {
        // The last hop fires without another look at now(): a timer may run a millisecond
        // before Date.now() agrees, and re-arming for that would only add a hop.
        const last = remaining <= MAX_TIMER_HOP_MS;
        handle = source.setTimeout(
          () => {
            if (cancelled) return;
            if (last) fn();
            else arm(Math.max(0, deadline - source.now()));
          },
          last ? remaining : MAX_TIMER_HOP_MS,
        );
      };
      arm(delay);
      return {
        cancel() {
          cancelled = true;
          source.clearTimeout(handle);
        },
      };
    },
  };
}

export const systemClock: Clock = clockFrom(nodeTimerSource);

/** Calls `fn` every `ms` on `clock` until cancelled; like setInterval, for any period. */
export function repeatEvery(clock: Clock, fn: () => void, ms: number): TimerHandle {
  let timer: TimerHandle;
  let cancelled = false;
  const tick = () => {
    if (cancelled) return;
    timer = clock.setTimer(tick, ms);
    fn();
  };
  timer = clock.setTimer(tick, ms);
  return {
    cancel() {
      cancelled = true;
      timer.cancel();
    },
  };
}
