import type { Timers } from '@pa-connector/openvpn-manager-client';
import type { Clock, TimerHandle } from '@pa-connector/service-runtime';

export {
  type Clock,
  type Random,
  systemClock,
  type TimerHandle,
} from '@pa-connector/service-runtime';

/** Raised by `sleep` when its signal is aborted (the service is stopping). */
export class AbortedError extends Error {
  readonly code = 'aborted';
  readonly retryable = false;

  constructor() {
    super('stopped');
    this.name = 'AbortedError';
  }
}

/** Waits `ms` on `clock`; rejects with AbortedError as soon as `signal` aborts. */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new AbortedError());
      return;
    }
    const onAbort = () => {
      timer.cancel();
      reject(new AbortedError());
    };
    const timer = clock.setTimer(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The management client's timers on `clock`, so its deadlines follow the service's clock. */
export function managementTimers(clock: Clock): Timers {
  return {
    setTimeout: (fn, ms) => clock.setTimer(fn, ms),
    clearTimeout: (handle) => (handle as TimerHandle | undefined)?.cancel(),
  };
}
