import type { Random } from '../clock';

export interface BackoffPolicy {
  /** Delay before the first retry (before jitter). */
  initialMs: number;
  /** Cap of the delay (before jitter). */
  maxMs: number;
  /** Growth per attempt; 2 by default. */
  factor?: number;
}

/**
 * Capped exponential backoff with "equal jitter": the delay for retry `attempt` (1-based) is
 * half the exponential step plus a random part of the other half, so retries of many connectors
 * spread out but none waits less than half the step, and none more than `maxMs`.
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: Random): number {
  const factor = policy.factor ?? 2;
  const n = Math.max(1, Math.floor(attempt));
  const step = Math.min(policy.maxMs, policy.initialMs * factor ** Math.min(n - 1, 52));
  return Math.round(step / 2 + random() * (step / 2));
}
