/** The timer functions the client uses, injectable so tests can drive time. */
export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/**
 * Looks the globals up at call time, so fake timers installed later still apply. Node's timers
 * fire at once past 2^31-1 ms (24.8 days): a service passes timers on its own clock instead.
 */
export const systemTimers: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
