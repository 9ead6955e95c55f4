import { SSE_PURPOSES, type SsePurpose, type TunnelProtocol } from '@pa-connector/sse-api';
import type { CloudProfile } from '../config/endpoints';
import type { RegionConfig } from '../config/regions';

/** A running listener of one purpose. */
export interface EndpointListener {
  purpose: SsePurpose;
  /** What a connector dials (the endpoint's hostname when it has one). */
  url: string;
  /** The address and port it listens on. */
  listen: string;
}

/** One row of the firewall table: what a POP must reach, and why. */
export interface FirewallRow {
  destination: string;
  port: number;
  protocol: TunnelProtocol;
  purpose: string;
}

export interface EndpointTable {
  profile: CloudProfile;
  /** The combined listener, serving every purpose without an endpoint of its own. */
  sseUrl: string;
  /** Each purpose's URLs: its own listeners, else the combined listener. */
  endpoints: Record<SsePurpose, string[]>;
  /** The gateways of each PoP, with the hostnames the PoP is known by. */
  pops: Array<{
    region: string;
    hostnames: string[];
    gateways: Array<{ name: string; host: string; port: number; protocol: TunnelProtocol }>;
  }>;
  rows: FirewallRow[];
}

const PURPOSE_TEXT: Record<SsePurpose, string> = {
  registration: 'connector registration and certificate renewal',
  tokens: 'access tokens',
  catalog: 'app catalog and release manifest',
  collector: 'health, POP status and logs',
};

/** The firewall table as this emulator serves it: a pure view of its listeners and regions. */
export function endpointTable(o: {
  profile: CloudProfile;
  combinedUrl: string;
  listeners: readonly EndpointListener[];
  regions: readonly RegionConfig[];
}): EndpointTable {
  const endpoints = Object.fromEntries(
    SSE_PURPOSES.map((purpose) => {
      const own = o.listeners.filter((l) => l.purpose === purpose).map((l) => l.url);
      return [purpose, own.length > 0 ? own : [o.combinedUrl]];
    }),
  ) as Record<SsePurpose, string[]>;
  const pops = o.regions.map((r) => ({
    region: r.name,
    hostnames: [...(r.hostnames ?? [])],
    gateways: r.gateways.map((g) => ({
      name: g.name,
      host: g.host,
      port: g.port,
      protocol: g.protocol,
    })),
  }));
  const rows: FirewallRow[] = [];
  for (const purpose of SSE_PURPOSES) {
    for (const url of endpoints[purpose]) {
      if (!url) continue;
      const u = new URL(url);
      rows.push({
        destination: u.hostname.replace(/^\[(.*)\]$/, '$1'),
        port: Number(u.port || 443),
        protocol: 'tcp',
        purpose: `${purpose}: ${PURPOSE_TEXT[purpose]}`,
      });
    }
  }
  for (const pop of pops) {
    for (const g of pop.gateways) {
      rows.push({
        destination: g.host,
        port: g.port,
        protocol: g.protocol,
        purpose: `gateway: tunnel to ${g.name} (PoP ${pop.region})`,
      });
    }
  }
  return { profile: o.profile, sseUrl: o.combinedUrl, endpoints, pops, rows };
}
