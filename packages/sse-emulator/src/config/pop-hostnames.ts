import { isIP } from 'node:net';
import { isHostname } from '@pa-connector/config';
import type { RegionConfig } from './regions';

class PopHostnameError extends Error {
  override name = 'PopHostnameError';
}

/** A DNS name as compared: case-insensitive, the root's trailing dot ignored. */
function normalHostname(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, '');
}

/**
 * `REGION=NAME[,NAME...]` specs (`--pop-hostname us-west=us-west.pa-wgcs.skyhigh.cloud`) added
 * to the regions they name. A name belongs to one PoP only; an unknown region is a mistake.
 */
export function withPopHostnames(regions: RegionConfig[], specs: string[]): RegionConfig[] {
  const added = new Map<string, string[]>();
  for (const spec of specs) {
    const where = `--pop-hostname "${spec}"`;
    const eq = spec.indexOf('=');
    if (eq <= 0) throw new PopHostnameError(`${where}: expected REGION=NAME[,NAME...]`);
    const region = spec.slice(0, eq).trim();
    if (!regions.some((r) => r.name === region)) {
      throw new PopHostnameError(
        `${where}: no region "${region}" (${regions.map((r) => r.name).join(', ')})`,
      );
    }
    const names = spec
      .slice(eq + 1)
      .split(',')
      .map((n) => checkedPopHostname(n, where));
    added.set(region, [...(added.get(region) ?? []), ...names]);
  }
  const result = regions.map((r) => {
    const hostnames = [...(r.hostnames ?? []), ...(added.get(r.name) ?? [])];
    return hostnames.length > 0 ? { ...r, hostnames: [...new Set(hostnames)] } : r;
  });
  checkDistinctHostnames(result);
  return result;
}

/** A PoP hostname as configured: a DNS name (not an address), normalized. */
export function checkedPopHostname(name: string, where: string): string {
  const normal = normalHostname(name);
  if (!normal || isIP(normal) || !isHostname(normal)) {
    throw new PopHostnameError(`${where}: "${name.trim()}" is not a hostname`);
  }
  return normal;
}

export function checkDistinctHostnames(regions: readonly RegionConfig[]): void {
  const owner = new Map<string, string>();
  for (const r of regions) {
    for (const name of r.hostnames ?? []) {
      const other = owner.get(name);
      if (other !== undefined && other !== r.name) {
        throw new PopHostnameError(
          `PoP hostname "${name}" is given to both ${other} and ${r.name}`,
        );
      }
      owner.set(name, r.name);
    }
  }
}

/**
 * The host part of the gateway an operator named: `name`, `name:443`, `10.0.0.5:443`,
 * `[fd00::1]:443` or `fd00::1`, normalized. The port does not pick the PoP.
 */
export function gatewayHost(gateway: string): string {
  const text = gateway.trim();
  const bracketed = /^\[([^\]]*)\](?::\d+)?$/.exec(text);
  if (bracketed) return normalHostname(bracketed[1] as string);
  if (isIP(text) === 6) return normalHostname(text);
  const withPort = /^([^:]*):\d+$/.exec(text);
  return normalHostname(withPort ? (withPort[1] as string) : text);
}

/** The PoP a gateway name or address belongs to: by the PoP's hostnames or its gateways' hosts. */
export function popOfGateway(
  regions: Iterable<RegionConfig>,
  gateway: string,
): RegionConfig | undefined {
  const host = gatewayHost(gateway);
  if (!host) return undefined;
  for (const r of regions) {
    if ((r.hostnames ?? []).includes(host)) return r;
    if (r.gateways.some((g) => normalHostname(g.host) === host)) return r;
  }
  return undefined;
}
