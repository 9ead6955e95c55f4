import { BlockList, isIP } from 'node:net';

/** `a.b.c.d/n` or `v6::/n` (a bare address is /32 or /128), or undefined when malformed. */
export function parseCidr(
  text: string,
): { address: string; prefix: number; family: 4 | 6 } | undefined {
  const [address = '', bits, extra] = text.trim().split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return undefined;
  const max = family === 4 ? 32 : 128;
  const prefix = bits === undefined ? max : /^\d{1,3}$/.test(bits) ? Number(bits) : Number.NaN;
  if (!(prefix >= 0 && prefix <= max)) return undefined;
  return { address, prefix, family: family as 4 | 6 };
}

/** A set of networks, checked by address. */
export class NetworkSet {
  readonly #list = new BlockList();
  readonly #text: string[] = [];

  add(cidr: string): void {
    const c = parseCidr(cidr);
    if (!c) throw new Error(`not a network (address/prefix): ${JSON.stringify(cidr)}`);
    this.#list.addSubnet(c.address, c.prefix, c.family === 4 ? 'ipv4' : 'ipv6');
    this.#text.push(`${c.address}/${c.prefix}`);
  }

  has(ip: string): boolean {
    const family = isIP(ip);
    if (family === 0) return false;
    return this.#list.check(ip, family === 4 ? 'ipv4' : 'ipv6');
  }

  list(): readonly string[] {
    return this.#text;
  }
}
