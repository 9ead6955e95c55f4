import type { Clock, Random } from '../clock';
import { type BackoffPolicy, backoffDelay } from './backoff';
import { sleep } from './sleep';

export interface RetryOptions {
  clock: Clock;
  random: Random;
  backoff: BackoffPolicy;
  /** Aborting ends the wait with AbortedError. */
  signal?: AbortSignal;
  /** Stop after this many attempts (default: never for retryable errors). */
  maxAttempts?: number;
  /** Called before each wait, to log the attempt and the delay. */
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
}

/**
 * Errors say whether retrying can help; anything that does not say so is not retried. The flag
 * is the only thing read: a message's wording is for people and may change.
 */
export function isRetryable(err: unknown): boolean {
  return (
    typeof err === 'object' && err !== null && (err as { retryable?: unknown }).retryable === true
  );
}

/**
 * Runs `fn` until it succeeds, retrying errors whose `retryable` flag is set with capped,
 * jittered exponential backoff. A permanent error (or the last allowed attempt) is rethrown.
 */
export async function retry<T>(fn: (attempt: number) => Promise<T>, o: RetryOptions): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (!isRetryable(err) || (o.maxAttempts !== undefined && attempt >= o.maxAttempts)) throw err;
      const delayMs = backoffDelay(attempt, o.backoff, o.random);
      o.onRetry?.(err, attempt, delayMs);
      await sleep(o.clock, delayMs, o.signal);
    }
  }
}
