import type { Random } from '../clock';

/**
 * How long after obtaining a token to refresh it: at `at` of its life, up to `jitter` of that
 * earlier so many connectors do not refresh in step. Never later than `at`.
 */
export function refreshDelay(
  lifetimeMs: number,
  at: number,
  jitter: number,
  random: Random,
): number {
  const base = lifetimeMs * at;
  return Math.max(0, Math.round(base * (1 - jitter * random())));
}
