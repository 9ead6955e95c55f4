import { existsSync, readFileSync } from 'node:fs';
import { BlockList, isIP } from 'node:net';
import { type NetworkInterfaceInfo, networkInterfaces } from 'node:os';

export type Interfaces = () => NodeJS.Dict<NetworkInterfaceInfo[]>;

/** The IPv4 default route: its interface and gateway (from /proc/net/route). */
export function defaultRoute(routeTable: string): { iface: string; gateway: string } | undefined {
  for (const line of routeTable.split('\n').slice(1)) {
    const [iface, dest, gw, flags] = line.trim().split(/\s+/);
    if (!iface || dest !== '00000000' || !gw || !flags) continue;
    // RTF_UP (1) and RTF_GATEWAY (2); the gateway is a little-endian hex word.
    if ((Number.parseInt(flags, 16) & 3) !== 3) continue;
    const n = Number.parseInt(gw, 16);
    return { iface, gateway: [n & 255, (n >> 8) & 255, (n >> 16) & 255, n >>> 24].join('.') };
  }
  return undefined;
}

function readRouteTable(): string {
  try {
    return readFileSync('/proc/net/route', 'utf8');
  } catch {
    return '';
  }
}

export interface PopNetworksInput {
  /** Resolved addresses of the Redis host the connector uses. */
  redisAddresses: readonly string[];
  interfaces?: Interfaces;
  routeTable?: string;
  /** Running in a container (Docker's marker file). */
  inContainer?: boolean;
}

/**
 * The networks of the POP itself that neither the proxy nor the probes may dial, whatever the
 * catalog says. The rule that tells the compose-internal network from the app LAN:
 *
 * - The internal network is the subnet of the local interface through which Redis is reached
 *   (compose's `internal` network: Redis, logging, update, pop-manager; no route out). All of it
 *   is refused.
 * - The app LAN is what lies behind the default route (compose's `egress` network and the VM's
 *   LAN beyond it). It stays reachable, neighbours included; only the connector's own addresses
 *   on it (refused separately) and, in a container, the default gateway (the Docker bridge,
 *   i.e. the host) are refused.
 * - When Redis is reached over loopback (a host install) there is no internal network to refuse.
 *   When Redis sits on the default route's subnet, that subnet is the LAN: only Redis's own
 *   address is refused, not the LAN.
 */
export function popNetworks(i: PopNetworksInput): string[] {
  const ifaces = (i.interfaces ?? networkInterfaces)();
  const route = defaultRoute(i.routeTable ?? readRouteTable());
  const out: string[] = [];
  for (const r of i.redisAddresses) {
    const family = isIP(r);
    if (family === 0) continue;
    for (const [name, list] of Object.entries(ifaces)) {
      for (const a of list ?? []) {
        if (a.internal || !a.cidr || (a.family === 'IPv4' ? 4 : 6) !== family) continue;
        const [net, bits] = a.cidr.split('/');
        const subnet = new BlockList();
        subnet.addSubnet(net as string, Number(bits), family === 4 ? 'ipv4' : 'ipv6');
        if (!subnet.check(r, family === 4 ? 'ipv4' : 'ipv6')) continue;
        const separate = route !== undefined && name !== route.iface;
        out.push(separate ? a.cidr : `${r}/${family === 4 ? 32 : 128}`);
      }
    }
  }
  const inContainer = i.inContainer ?? existsSync('/.dockerenv');
  if (inContainer && route) out.push(`${route.gateway}/32`);
  return [...new Set(out)];
}
