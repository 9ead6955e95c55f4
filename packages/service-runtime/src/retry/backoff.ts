import type { Random } from '../clock';

/** How the wait between attempts grows. */
export interface BackoffPolicy {
  /** Delay before the first retry (before jitter). */
  initialMs: number;
  /** Cap of the delay (before jitter). */
  maxMs: number;
  /** Growth per attempt; 2 by default. */
  factor?: number;
  /**
   * The share of each step that is random, 0 to 1: 0.5 by default ("equal jitter": none waits
   * less than half the step), 0 for a fixed schedule.
   */
  jitter?: number;
}

/**
 * The delay for retry `attempt` (1-based) before jitter: `initialMs × factor^(attempt-1)`, capped
 * at `maxMs`. The exponent stops growing where a double would stop being exact, so a retry loop
 * that runs for months never turns the step into Infinity or NaN.
 */
export function backoffStep(attempt: number, policy: BackoffPolicy): number {
  const factor = policy.factor ?? 2;
  const n = Math.max(1, Math.floor(attempt));
  return Math.min(policy.maxMs, policy.initialMs * factor ** Math.min(n - 1, 52));
}

/**
 * Capped exponential backoff with jitter: the fixed part of the step plus a random part of the
 * rest, so retries of many processes spread out, none waits less than the fixed part and none
 * more than `maxMs`. Whole milliseconds.
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: Random): number {
  const step = backoffStep(attempt, policy);
  const jitter = policy.jitter ?? 0.5;
  if (jitter <= 0) return Math.round(step);
  const share = Math.min(jitter, 1);
  return Math.round(step * (1 - share) + random() * (step * share));
}
