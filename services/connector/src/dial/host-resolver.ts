import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { Clock } from '../clock';
import { DnsError } from './dns-error';
import { HostsFile } from './hosts-file';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

export interface HostResolverOptions {
  clock: Clock;
  /** Whole-lookup deadline (both families, every try). */
  deadlineMs: number;
  /** DNS servers (`ip` or `ip:port`, `[ip6]:port`); default: the system's (resolv.conf). */
  servers?: readonly string[];
  /** Hosts file consulted before DNS. Default /etc/hosts. */
  hostsPath?: string;
}

const DNS_NOT_FOUND = new Set(['ENOTFOUND', 'ENODATA', 'NXDOMAIN', 'ENONAME']);

/**
 * Name resolution for everything the connector dials on a catalog's say (proxy and probes).
 * It uses c-ares (`dns.Resolver`), not `dns.lookup`: getaddrinfo runs on libuv's four-thread
 * pool, which file writes share, so a DNS outage used to stall tunnel restarts (they write
 * config files). Every lookup has a deadline. Names in the hosts file and `localhost` are
 * answered locally, as getaddrinfo would.
 */
export class HostResolver {
  readonly #o: HostResolverOptions;
  readonly #hosts: HostsFile;

  readonly #resolver: Resolver;

  constructor(o: HostResolverOptions) {
    this.#o = o;
    this.#hosts = new HostsFile({ path: o.hostsPath ?? '/etc/hosts', clock: o.clock });
    // One channel for every lookup (a channel reads resolv.conf when made). c-ares retries on
    // its own, each try getting half the deadline, so a query never outlives the deadline by
    // much even when the deadline below gives up on it first.
    this.#resolver = new Resolver({ timeout: Math.max(1, Math.floor(o.deadlineMs / 2)), tries: 2 });
    if (o.servers?.length) this.#resolver.setServers([...o.servers]);
  }

  /**
   * Every address of `host` (IPv4 first), or a DnsError. A literal resolves to itself.
   * `deadlineMs` shortens this lookup's deadline (never lengthens it).
   */
  async resolveAll(host: string, deadlineMs?: number): Promise<ResolvedAddress[]> {
    const literal = isIP(host);
    if (literal) return [{ address: host, family: literal as 4 | 6 }];
    const name = host.toLowerCase().replace(/\.$/, '');
    // RFC 6761: localhost names are loopback and never sent to DNS.
    if (name === 'localhost' || name.endsWith('.localhost')) {
      return [
        { address: '127.0.0.1', family: 4 },
        { address: '::1', family: 6 },
      ];
    }
    const listed = await this.#hosts.lookup(name);
    if (listed) return order(listed.map((a) => ({ address: a, family: isIP(a) as 4 | 6 })));
    return this.#dns(name, Math.min(this.#o.deadlineMs, deadlineMs ?? Number.POSITIVE_INFINITY));
  }

  async #dns(name: string, deadlineMs: number): Promise<ResolvedAddress[]> {
    const resolver = this.#resolver;
    let timer: { cancel(): void } | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = this.#o.clock.setTimer(() => {
        reject(new DnsError('dns_timeout', `no DNS answer for ${name} within ${deadlineMs}ms`));
      }, deadlineMs);
    });
    const family = (p: Promise<string[]>, f: 4 | 6) =>
      p.then(
        (list) => list.map((address) => ({ address, family: f })),
        (err: NodeJS.ErrnoException) => err,
      );
    try {
      const [v4, v6] = await Promise.race([
        Promise.all([family(resolver.resolve4(name), 4), family(resolver.resolve6(name), 6)]),
        deadline,
      ]);
      const found = [...(Array.isArray(v4) ? v4 : []), ...(Array.isArray(v6) ? v6 : [])];
      if (found.length > 0) return found;
      const errs = [v4, v6].filter((e): e is NodeJS.ErrnoException => !Array.isArray(e));
      if (errs.every((e) => DNS_NOT_FOUND.has(e.code ?? ''))) {
        throw new DnsError('dns_not_found', `${name} has no address in DNS`, { cause: errs[0] });
      }
      const bad = errs.find((e) => !DNS_NOT_FOUND.has(e.code ?? '')) ?? errs[0];
      const code =
        bad?.code === 'ETIMEOUT' || bad?.code === 'ECANCELLED' ? 'dns_timeout' : 'dns_failed';
      throw new DnsError(code, `resolving ${name} failed: ${bad?.code ?? bad?.message}`, {
        cause: bad,
      });
    } finally {
      timer?.cancel();
    }
  }
}

function order(list: ResolvedAddress[]): ResolvedAddress[] {
  return [...list.filter((a) => a.family === 4), ...list.filter((a) => a.family === 6)];
}
