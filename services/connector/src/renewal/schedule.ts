import type { Random } from '../clock';

/**
 * When to renew a certificate valid from `notBefore` to `notAfter`: at `fraction` of its
 * lifetime (2/3 by default), up to `jitter` of the lifetime earlier at random. Returns ms since
 * epoch; a time already past means "now".
 */
export function renewalTime(
  notBefore: number,
  notAfter: number,
  fraction: number,
  jitter: number,
  random: Random,
): number {
  const life = Math.max(0, notAfter - notBefore);
  return Math.round(notBefore + life * fraction - life * jitter * random());
}
