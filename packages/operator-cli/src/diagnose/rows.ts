import { isIP } from 'node:net';
import { type FirewallRow, firewallRows } from '@pa-connector/sse-api';
import type { AppServerList } from './app-servers';
import type { GatewayList } from './gateways';
import { expectedPort, type Profile } from './profile';
import { type ConnectionSettings, usesProxy } from './settings';

/** How a row is checked live. */
export type Probe =
  /** Resolve, connect (directly or by CONNECT through the proxy), TLS handshake with the SSE CA. */
  | { kind: 'tls'; host: string; port: number; viaProxy: boolean }
  /** Resolve and connect (directly or through the proxy). */
  | { kind: 'tcp'; host: string; port: number; viaProxy: boolean }
  /** UDP cannot be probed without the tunnel's own handshake: resolve only. */
  | { kind: 'resolve'; host: string; why: string }
  /** Ask one DNS server for `name`. */
  | { kind: 'nameserver'; server: string; name: string | undefined }
  | { kind: 'nameserver-count' }
  | { kind: 'timezone' }
  /** Listed for the firewall table; nothing to check (yet). */
  | { kind: 'none'; why: string };

/**
 * One line of the diagnosis: a row of the firewall table (`docs/firewall.md`, with this POP's
 * values), or another check (a host prerequisite, the proxy, each gateway, each app server).
 */
export interface DiagnoseRow {
  section: 'firewall' | 'checks';
  service: string;
  destination: string;
  port: number | undefined;
  protocol: string;
  purpose: string;
  /** A failed required row makes `diagnose` exit 1; others only warn. */
  required: boolean;
  probe: Probe;
  /** Something about the row itself, e.g. a port the profile does not expect. */
  warning?: string;
}

function hostOf(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '');
}

const shownHost = (h: string) => (isIP(h) === 6 ? `[${h}]` : h);

function profileWarning(
  profile: Profile,
  port: number,
  expected: number,
  what: string,
): string | undefined {
  return port === expected
    ? undefined
    : `the ${profile.name} profile expects ${what} on port ${expected}`;
}

export interface RowInputs {
  settings: ConnectionSettings;
  gateways: GatewayList;
  /** Undefined: not asked for (--no-apps). */
  appServers?: AppServerList;
  profile: Profile;
  nameservers: readonly string[];
}

/**
 * The firewall table, in the order an operator reads it: the host's own prerequisites, the
 * proxy, the SSE API, the gateways, the private apps' servers. Pure: the live checks come later.
 */
export function buildRows({
  settings,
  gateways,
  appServers,
  profile,
  nameservers,
}: RowInputs): DiagnoseRow[] {
  const rows: DiagnoseRow[] = [
    ...settingsFirewallRows(settings, profile, gateways),
    {
      section: 'checks',
      service: 'host',
      destination: 'time zone',
      port: undefined,
      protocol: '-',
      purpose: 'UTC clock (certificates, tokens, logs)',
      required: true,
      probe: { kind: 'timezone' },
    },
    {
      section: 'checks',
      service: 'host',
      destination: 'resolv.conf',
      port: undefined,
      protocol: '-',
      purpose: `at most three nameservers`,
      required: true,
      probe: { kind: 'nameserver-count' },
    },
  ];
  // A name the DNS servers are asked for: the first SSE or gateway host that is a DNS name
  // (not an address, not `localhost` or another name only /etc/hosts knows).
  const lookupName = [
    ...settings.sseUrls.map(hostOf),
    ...gateways.gateways.map((g) => g.host),
  ].find((h) => isIP(h) === 0 && h.includes('.') && !/(^|\.)localhost\.?$/i.test(h));
  for (const ns of nameservers.slice(0, 3)) {
    rows.push({
      section: 'checks',
      service: 'host',
      destination: shownHost(ns),
      port: 53,
      protocol: 'udp/dns',
      purpose: 'name resolution',
      required: false,
      probe: { kind: 'nameserver', server: ns, name: lookupName },
    });
  }
  if (settings.proxy) {
    rows.push({
      section: 'checks',
      service: 'connector',
      destination: shownHost(settings.proxy.host),
      port: settings.proxy.port,
      protocol: 'tcp/http-proxy',
      purpose: 'HTTP proxy (CONNECT) to the SSE',
      required: true,
      probe: { kind: 'tcp', host: settings.proxy.host, port: settings.proxy.port, viaProxy: false },
    });
  }
  for (const g of gateways.gateways) {
    const port = g.port ?? profile.gatewayPort;
    const warning =
      g.protocol === 'udp' && usesProxy(settings, g.host)
        ? 'UDP cannot go through an HTTP proxy: the firewall must let it out directly'
        : profileWarning(profile, port, profile.gatewayPort, 'gateways');
    rows.push({
      section: 'checks',
      service: 'connector',
      destination: shownHost(g.host),
      port,
      protocol: `${g.protocol}/openvpn`,
      purpose: `tunnel to gateway ${g.name}`,
      required: g.protocol === 'tcp',
      probe:
        g.protocol === 'tcp'
          ? { kind: 'tcp', host: g.host, port, viaProxy: usesProxy(settings, g.host) }
          : {
              kind: 'resolve',
              host: g.host,
              why: 'UDP is not probed (only a tunnel handshake could tell)',
            },
      ...(warning ? { warning } : {}),
    });
  }
  if (appServers && appServers.servers.length === 0) {
    rows.push({
      section: 'checks',
      service: 'connector',
      destination: 'app servers',
      port: undefined,
      protocol: 'tcp',
      purpose: 'private apps (health checks, user traffic)',
      required: false,
      probe: { kind: 'none', why: `none listed: ${appServers.source}` },
    });
  }
  for (const a of appServers?.servers ?? []) {
    rows.push({
      section: 'checks',
      service: 'connector',
      destination: shownHost(a.host),
      port: a.port,
      protocol: 'tcp',
      purpose: `app ${a.app} (health checks, user traffic)`,
      // The connector's own health checks already judge the apps; here they only inform.
      required: false,
      probe: { kind: 'tcp', host: a.host, port: a.port, viaProxy: false },
    });
  }
  return rows;
}

/**
 * The firewall table of `docs/firewall.md` with this POP's values, each row with its live check:
 * the SSE API's rows by a TLS handshake with the SSE CA, the named gateway and the registry by a
 * TCP connection (directly or through the proxy, as the connector would go).
 */
function settingsFirewallRows(
  settings: ConnectionSettings,
  profile: Profile,
  gateways: GatewayList,
): DiagnoseRow[] {
  return firewallRows(settings.endpoints).map((r) => firewallRow(r, settings, profile, gateways));
}

function firewallRow(
  r: FirewallRow,
  settings: ConnectionSettings,
  profile: Profile,
  gateways: GatewayList,
): DiagnoseRow {
  const base = {
    section: 'firewall' as const,
    service: 'connector',
    destination: shownHost(r.host),
    port: r.port,
    protocol: r.protocol,
    purpose: r.purpose,
  };
  const viaProxy = usesProxy(settings, r.host);
  switch (r.kind) {
    case 'gateway': {
      if (!settings.endpoints.gateway) {
        return {
          ...base,
          required: false,
          probe: {
            kind: 'none',
            why:
              gateways.gateways.length > 0
                ? "PA_GATEWAY is not set: the PoP's gateways are checked below"
                : `PA_GATEWAY is not set${settings.region ? ` (region ${settings.region})` : ''}; gateway addresses not known: ${gateways.source}`,
          },
        };
      }
      const warning = profileWarning(profile, r.port, profile.gatewayPort, 'gateways');
      return {
        ...base,
        // UDP may carry the tunnel where TCP is blocked: a failed TCP check only warns.
        required: false,
        probe: { kind: 'tcp', host: r.host, port: r.port, viaProxy },
        ...(warning ? { warning } : {}),
      };
    }
    case 'registry':
      return {
        ...base,
        // Needed for updates only: the images of the install came in the package.
        required: false,
        probe: { kind: 'tcp', host: r.host, port: r.port, viaProxy },
      };
    default: {
      const warning = profileWarning(profile, r.port, expectedPort(profile, r.kind), r.purpose);
      // The protocol column stays the table's (tcp), so the printed table is docs/firewall.md's.
      return {
        ...base,
        required: true,
        probe: { kind: 'tls', host: r.host, port: r.port, viaProxy },
        ...(warning ? { warning } : {}),
      };
    }
  }
}
