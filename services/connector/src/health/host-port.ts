import { isIP } from 'node:net';

/** `host:port`, with an IPv6 host in brackets (`[fd00::1]:80`). */
export function formatHostPort(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * The form of a host used as a lookup key: hostnames lower-cased, IPv6 literals in their
 * canonical compressed form (so `FD00:0::1` and `fd00::1` are the same app).
 */
export function canonicalHost(host: string): string {
  if (isIP(host) === 6) {
    try {
      return new URL(`http://[${host}]/`).hostname.slice(1, -1);
    } catch {
      return host.toLowerCase();
    }
  }
  return host.toLowerCase();
}
