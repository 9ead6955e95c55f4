import { isIP } from 'node:net';
import { isHostname, isLabel } from '@pa-connector/config';
import type { Gateway, TunnelProtocol } from '@pa-connector/sse-api';

/** A gateway as configured: the wire fields plus where its server runs. */
export interface GatewayConfig extends Gateway {
  /** Network namespace the gateway's openvpn server (and control endpoint) run in. */
  netns?: string;
}

export interface RegionConfig {
  name: string;
  gateways: GatewayConfig[];
  /**
   * Names the PoP is known by, e.g. `us-west.pa-wgcs.skyhigh.cloud` (lowercase, no trailing
   * dot): a registration naming one of them, or one of the gateways' hosts, is for this PoP.
   */
  hostnames?: string[];
}

/** What `ip netns add` accepts, kept conservative (the name reaches a command line). */
const GATEWAY_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;
const NETNS = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

export const DEFAULT_REGIONS: RegionConfig[] = [
  {
    name: 'local',
    gateways: [
      { id: 'local-gw1', name: 'local-gw1', host: '127.0.0.1', port: 1194, protocol: 'udp' },
      { id: 'local-gw2', name: 'local-gw2', host: '127.0.0.1', port: 1195, protocol: 'udp' },
    ],
  },
];

class RegionSpecError extends Error {
  override name = 'RegionSpecError';
}

/**
 * `name=host:port/proto,host:port/proto` (IPv6 hosts in brackets: `[::1]:1194/udp`; the
 * protocol defaults to udp; `@netns` after a gateway runs it in that network namespace).
 * Gateways are named `<region>-gw<n>`. The port may be left out when a default is given (the
 * profile's gateway port).
 */
export function parseRegionSpec(spec: string, defaultPort?: number): RegionConfig {
  const eq = spec.indexOf('=');
  if (eq <= 0) throw new RegionSpecError(`--region "${spec}": expected name=host:port/proto[,...]`);
  const name = spec.slice(0, eq).trim();
  const list = spec.slice(eq + 1).trim();
  if (!list) throw new RegionSpecError(`--region "${spec}": no gateways after "="`);
  return regionConfig(
    name,
    list.split(',').map((g) => parseGatewayAddress(g.trim(), `--region "${spec}"`, defaultPort)),
  );
}

export function parseGatewayAddress(
  text: string,
  where: string,
  defaultPort?: number,
): { host: string; port: number; protocol: TunnelProtocol; netns?: string } {
  const m = /^(\[[^\]]+\]|[^:/[\]@]+)(?::(\d{1,5}))?(?:\/(udp|tcp))?(?:@(.*))?$/.exec(text);
  if (!m || (m[2] === undefined && defaultPort === undefined)) {
    throw new RegionSpecError(`${where}: gateway "${text}" is not host:port/udp|tcp[@netns]`);
  }
  const netns = m[4];
  if (netns !== undefined) checkNetns(netns, where);
  const rawHost = m[1] as string;
  const host = rawHost.startsWith('[') ? rawHost.slice(1, -1) : rawHost;
  if (rawHost.startsWith('[') && isIP(host) !== 6) {
    throw new RegionSpecError(`${where}: "${rawHost}" is not an IPv6 address`);
  }
  if (!isIP(host) && !isHostname(host)) {
    throw new RegionSpecError(`${where}: gateway host "${host}" is not a hostname or IP address`);
  }
  const port = m[2] === undefined ? (defaultPort as number) : Number(m[2]);
  if (port < 1 || port > 65_535)
    throw new RegionSpecError(`${where}: port ${port} is out of range`);
  const protocol = (m[3] as TunnelProtocol | undefined) ?? 'udp';
  return netns === undefined ? { host, port, protocol } : { host, port, protocol, netns };
}

export function checkNetns(netns: string, where: string): void {
  if (!NETNS.test(netns)) {
    throw new RegionSpecError(
      `${where}: network namespace "${netns}" must be letters, digits, "_", "." or "-"`,
    );
  }
}

/** Builds a region from addresses, validating the name and giving gateways stable ids. */
export function regionConfig(
  name: string,
  gateways: Array<{
    host: string;
    port: number;
    protocol: TunnelProtocol;
    name?: string;
    netns?: string;
  }>,
): RegionConfig {
  if (!isLabel(name) || name !== name.toLowerCase()) {
    throw new RegionSpecError(`region name "${name}" must be lowercase letters, digits and dashes`);
  }
  if (gateways.length === 0) throw new RegionSpecError(`region "${name}" has no gateways`);
  return {
    name,
    gateways: gateways.map((g, i) => {
      const id = g.name ?? `${name}-gw${i + 1}`;
      // The name is a certificate CN, a directory name and an admin path segment.
      if (!GATEWAY_NAME.test(id)) {
        throw new RegionSpecError(`gateway name "${id}" must be letters, digits, ".", "_" or "-"`);
      }
      const gateway: GatewayConfig = {
        id,
        name: id,
        host: g.host,
        port: g.port,
        protocol: g.protocol,
      };
      if (g.netns !== undefined) gateway.netns = g.netns;
      return gateway;
    }),
  };
}
