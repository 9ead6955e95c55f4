import { CodedError } from '@pa-connector/config';
import type { Clock } from '../clock';

/** Raised by `sleep` when its signal is aborted (the service is stopping). */
export class AbortedError extends CodedError {
  declare readonly code: 'aborted';
  declare readonly retryable: false;

  constructor() {
    super('aborted', 'stopped');
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
