import { BlockList, isIP } from 'node:net';
import { isHostname } from '@pa-connector/config';
import { SseClientConfigError } from './errors';

/**
 * A NO_PROXY list: hosts reached directly even when a proxy is configured. Entries:
 * - `*`: every host;
 * - `host.example`: exactly that host;
 * - `.example.com` or `*.example.com`: any host below example.com (not example.com itself);
 * - `10.1.2.3`, `::1`, `[::1]`: exactly that address;
 * - `10.0.0.0/8`, `fd00::/8`: any address in that network.
 * Matching is on the URL's host as written (no DNS lookups), case-insensitive.
 */
export interface NoProxyList {
  readonly entries: readonly string[];
  matches(host: string): boolean;
}

function unbracket(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** Throws SseClientConfigError naming the first entry that is none of the accepted forms. */
export function parseNoProxy(entries: Iterable<string> | string | undefined): NoProxyList {
  const list =
    typeof entries === 'string' ? entries.split(',') : entries === undefined ? [] : [...entries];
  const cleaned = list.map((e) => e.trim().toLowerCase()).filter(Boolean);
  let all = false;
  const exact = new Set<string>();
  const suffixes: string[] = [];
  const networks = new BlockList();
  for (const entry of cleaned) {
    if (entry === '*') {
      all = true;
      continue;
    }
    const slash = entry.indexOf('/');
    if (slash >= 0) {
      const addr = unbracket(entry.slice(0, slash));
      const bitsText = entry.slice(slash + 1);
      const family = isIP(addr);
      const bits = /^\d{1,3}$/.test(bitsText) ? Number(bitsText) : Number.NaN;
      if (family === 0 || !(bits >= 0 && bits <= (family === 4 ? 32 : 128))) {
        throw new SseClientConfigError(
          `no-proxy entry ${JSON.stringify(entry)} is not a valid CIDR`,
        );
      }
      networks.addSubnet(addr, bits, family === 4 ? 'ipv4' : 'ipv6');
      continue;
    }
    const ip = unbracket(entry);
    const ipFamily = isIP(ip);
    if (ipFamily !== 0) {
      // In the block list rather than the string set so `::1` also matches `0:0::1`.
      networks.addAddress(ip, ipFamily === 4 ? 'ipv4' : 'ipv6');
      continue;
    }
    const suffix = entry.startsWith('*.')
      ? entry.slice(1)
      : entry.startsWith('.')
        ? entry
        : undefined;
    if (suffix !== undefined) {
      if (!isHostname(suffix.slice(1))) {
        throw new SseClientConfigError(`no-proxy entry ${JSON.stringify(entry)} is not a domain`);
      }
      suffixes.push(suffix);
      continue;
    }
    if (!isHostname(entry.replace(/\.$/, ''))) {
      throw new SseClientConfigError(
        `no-proxy entry ${JSON.stringify(entry)} is not a host, .domain, IP address or CIDR`,
      );
    }
    exact.add(entry.replace(/\.$/, ''));
  }
  return {
    entries: cleaned,
    matches(rawHost: string): boolean {
      if (all) return true;
      const host = unbracket(rawHost.toLowerCase()).replace(/\.$/, '');
      if (exact.has(host)) return true;
      const family = isIP(host);
      if (family !== 0) return networks.check(host, family === 4 ? 'ipv4' : 'ipv6');
      return suffixes.some((s) => host.endsWith(s));
    },
  };
}
