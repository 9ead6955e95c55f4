import { BlockList, isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { Clock } from '../clock';
import { isForbiddenAddress, mappedV4 } from './address-policy';
import { NetworkSet } from './cidr';
import type { HostResolver, ResolvedAddress } from './host-resolver';
import type { Interfaces } from './pop-networks';

export interface DialPolicyOptions {
  clock: Clock;
  /** Networks of the POP itself (see popNetworks), refused whatever the catalog says. */
  networks?: readonly string[];
  interfaces?: Interfaces;
  /** How long the list of this host's addresses is trusted before it is read again. */
  refreshMs?: number;
  /**
   * Let the catalog name loopback literals (single-host demos and tests only: in a POP the
   * loopback is the connector's own, with its internal API on it). Default false.
   */
  allowLoopback?: boolean;
}

/** Verdicts kept at most (a catalog's servers resolve to far fewer addresses). */
const MAX_VERDICTS = 4096;

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

/**
 * Where the proxy and the health probes may dial: one policy for both, so a probe never
 * reports "up" what the proxy would refuse, and never touches the POP's internals.
 *
 * Refused whatever the catalog says: every address of this host or container (loopback and all
 * interfaces, tunnel addresses included; re-read every few seconds, since tunnels come and go)
 * and the POP's own networks. Refused unless the catalog names the literal: link-local,
 * metadata and unspecified addresses (a name must never lead there).
 */
export class DialPolicy {
  readonly #clock: Clock;
  readonly #interfaces: Interfaces;
  readonly #refreshMs: number;
  readonly #allowLoopback: boolean;
  readonly #networks = new NetworkSet();
  #own = new Set<string>();
  #ownAt = Number.NEGATIVE_INFINITY;
  /**
   * Verdicts by address, for the set of own addresses they were made with: the proxy asks about
   * the same few servers on every connection, and each BlockList check allocates a native
   * SocketAddress. Dropped when the own addresses are re-read or networks added; bounded.
   */
  #verdicts = new Map<string, string | undefined>();
  #verdictsFor: Set<string> | undefined;

  constructor(o: DialPolicyOptions) {
    this.#clock = o.clock;
    this.#interfaces = o.interfaces ?? networkInterfaces;
    this.#refreshMs = o.refreshMs ?? 5_000;
    this.#allowLoopback = o.allowLoopback === true;
    for (const n of o.networks ?? []) this.#networks.add(n);
  }

  /** Adds networks of the POP found after start (e.g. once Redis's address is known). */
  addNetworks(networks: readonly string[]): void {
    for (const n of networks) this.#networks.add(n);
    this.#verdicts.clear();
  }

  networks(): readonly string[] {
    return this.#networks.list();
  }

  /** Why `ip` may not be dialed, or undefined when it may. `literal`: the catalog wrote this IP. */
  refusal(ip: string, literal: boolean): string | undefined {
    const own = this.#ownAddresses();
    if (own !== this.#verdictsFor || this.#verdicts.size >= MAX_VERDICTS) {
      this.#verdicts.clear();
      this.#verdictsFor = own;
    }
    const key = literal ? `=${ip}` : ip;
    if (this.#verdicts.has(key)) return this.#verdicts.get(key);
    const why = this.#judge(ip, literal, own);
    this.#verdicts.set(key, why);
    return why;
  }

  #judge(ip: string, literal: boolean, own: Set<string>): string | undefined {
    const plain = canonical(ip);
    const family = isIP(plain);
    if (family === 0) return 'not an IP address';
    if (loopback.check(plain, family === 4 ? 'ipv4' : 'ipv6')) {
      if (!literal) return 'a loopback, link-local, metadata or unspecified address';
      if (!this.#allowLoopback) return 'a loopback address of this connector';
      return undefined;
    }
    if (own.has(plain)) return 'an address of this connector';
    if (this.#networks.has(plain)) return "a network of the POP's own services";
    if (!literal && isForbiddenAddress(plain)) {
      return 'a loopback, link-local, metadata or unspecified address';
    }
    return undefined;
  }

  #ownAddresses(): Set<string> {
    const now = this.#clock.now();
    if (now - this.#ownAt >= this.#refreshMs) {
      const own = new Set<string>();
      for (const list of Object.values(this.#interfaces())) {
        // Loopback is covered by the table above (and allowed where the catalog names it).
        for (const a of list ?? []) if (!a.internal) own.add(canonical(a.address));
      }
      this.#own = own;
      this.#ownAt = now;
    }
    return this.#own;
  }
}

/** An address in one spelling: IPv4-mapped IPv6 as IPv4, IPv6 lower-cased and compressed, no zone. */
function canonical(ip: string): string {
  const bare = ip.replace(/%.*$/, '');
  if (isIP(bare) !== 6) return bare;
  const v4 = mappedV4(bare);
  if (v4) return v4;
  try {
    return new URL(`http://[${bare}]/`).hostname.slice(1, -1);
  } catch {
    return bare.toLowerCase();
  }
}

export type DialTarget =
  | { ok: true; address: string; family: 4 | 6 }
  | { ok: false; address: string; why: string };

/**
 * Resolves `host` once and checks every answer; the address to dial is one that was checked.
 * A name with any forbidden answer is refused as a whole (a name that points into the POP is
 * not trusted for its other answers either). Rejects with a DnsError when it cannot resolve.
 */
export async function dialTarget(
  host: string,
  resolver: Pick<HostResolver, 'resolveAll'>,
  policy: Pick<DialPolicy, 'refusal'>,
  deadlineMs?: number,
): Promise<DialTarget> {
  const literal = isIP(host) !== 0;
  const answers: ResolvedAddress[] = literal
    ? [{ address: host, family: isIP(host) as 4 | 6 }]
    : await resolver.resolveAll(host, deadlineMs);
  for (const a of answers) {
    const why = policy.refusal(a.address, literal);
    if (why) return { ok: false, address: a.address, why };
  }
  const first = answers[0];
  if (!first) return { ok: false, address: '', why: 'no address' };
  return { ok: true, address: first.address, family: first.family };
}
