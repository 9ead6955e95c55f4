import { BlockList, isIP } from 'node:net';

/**
 * Addresses the proxy never dials on its own judgement: a user must not reach the connector's
 * host (loopback: Redis, the internal API), the link-local network (cloud metadata services
 * live there), other known metadata addresses, or "any" addresses. A catalog server written as
 * one of these literals is allowed: the administrator named it.
 */
const blocked = new BlockList();
blocked.addSubnet('0.0.0.0', 8, 'ipv4'); // unspecified / "this network"
blocked.addSubnet('127.0.0.0', 8, 'ipv4'); // loopback
blocked.addSubnet('169.254.0.0', 16, 'ipv4'); // link-local, incl. 169.254.169.254 metadata
blocked.addAddress('100.100.100.200', 'ipv4'); // Alibaba Cloud metadata
blocked.addAddress('192.0.0.192', 'ipv4'); // Oracle Cloud metadata
blocked.addAddress('::', 'ipv6'); // unspecified
blocked.addAddress('::1', 'ipv6'); // loopback
blocked.addSubnet('fe80::', 10, 'ipv6'); // link-local
blocked.addAddress('fd00:ec2::254', 'ipv6'); // AWS metadata over IPv6

/** The IPv4 address inside an IPv4-mapped IPv6 address (`::ffff:127.0.0.1`), if it is one. */
export function mappedV4(ip: string): string | undefined {
  const m = /^(?:0{0,4}:){0,5}:?ffff:(.+)$/i.exec(ip);
  if (!m?.[1]) return undefined;
  const tail = m[1];
  if (isIP(tail) === 4) return tail;
  const g = /^([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(tail);
  if (!g) return undefined;
  const hi = Number.parseInt(g[1] as string, 16);
  const lo = Number.parseInt(g[2] as string, 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/** True when `ip` (a literal) is loopback, link-local, a metadata address or unspecified. */
export function isForbiddenAddress(ip: string): boolean {
  const family = isIP(ip);
  if (family === 4) return blocked.check(ip, 'ipv4');
  if (family === 6) {
    const v4 = mappedV4(ip);
    if (v4) return blocked.check(v4, 'ipv4');
    return blocked.check(ip, 'ipv6');
  }
  return true;
}
