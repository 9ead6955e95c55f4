import type { AddressInfo } from 'node:net';

/** A URL clients can use: wildcard binds are reached through loopback of the same family. */
export function urlOf(scheme: 'http' | 'https', address: AddressInfo): string {
  let host = address.address;
  if (host === '0.0.0.0') host = '127.0.0.1';
  if (host === '::') host = '::1';
  return `${scheme}://${urlHost(host)}:${address.port}`;
}

/** A host as it goes in a URL: IPv6 addresses in brackets. */
export function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
