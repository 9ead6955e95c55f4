import { isIP } from 'node:net';
import type { SsePurpose } from '../routes';
import { type CloudEndpoints, gatewayNamePattern, PURPOSE_SETTING } from './cloud-endpoints';

/** What a row of the firewall table lets through. */
export type FirewallRowKind = 'gateway' | SsePurpose | 'registry';

/** One connection the connector's host makes to the cloud. */
export interface FirewallRow {
  kind: FirewallRowKind;
  /** Host as written in the settings (an IPv6 address without brackets). */
  host: string;
  port: number;
  /** `tcp`, or `udp/tcp` for the tunnels (either transport). */
  protocol: 'tcp' | 'udp/tcp';
  purpose: string;
  /** The setting that moves the row elsewhere. */
  setting: string;
}

const PURPOSE_TEXT: Record<FirewallRowKind, string> = {
  gateway: 'tunnel to the gateway',
  registration: 'connector registration',
  tokens: 'tokens',
  collector: 'POP status, logs and health',
  catalog: 'catalog and release',
  registry: 'image pulls',
};

function portOf(url: URL): number {
  if (url.port) return Number(url.port);
  return url.protocol === 'http:' ? 80 : 443;
}

function hostOf(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '');
}

/**
 * The firewall table of the operator documentation, from the endpoints: the tunnel to the
 * gateway, then registration, tokens, the collectors, the catalog and the image registry. The
 * same rows make `docs/firewall.md` and the first checks of the diagnosis.
 */
export function firewallRows(e: CloudEndpoints): FirewallRow[] {
  const rows: FirewallRow[] = [
    e.gateway
      ? {
          kind: 'gateway',
          host: e.gateway.host,
          port: e.gateway.port,
          protocol: 'udp/tcp',
          purpose: PURPOSE_TEXT.gateway,
          setting: 'PA_GATEWAY',
        }
      : {
          kind: 'gateway',
          host: gatewayNamePattern(e.domain),
          port: e.gatewayPort,
          protocol: 'udp/tcp',
          purpose: PURPOSE_TEXT.gateway,
          setting: 'PA_GATEWAY',
        },
  ];
  const purposes: SsePurpose[] = ['registration', 'tokens', 'collector', 'catalog'];
  for (const p of purposes) {
    for (const url of e.urls[p]) {
      rows.push({
        kind: p,
        host: hostOf(url),
        port: portOf(url),
        protocol: 'tcp',
        purpose: PURPOSE_TEXT[p],
        setting: PURPOSE_SETTING[p],
      });
    }
  }
  rows.push({
    kind: 'registry',
    host: e.registry.host,
    port: e.registry.port,
    protocol: 'tcp',
    purpose: PURPOSE_TEXT.registry,
    setting: 'PA_REGISTRY',
  });
  return rows;
}

/** A host as a table shows it: an IPv6 address in brackets, the cloud's domain as `shownAs`. */
export function showHost(host: string, domain?: string, shownAs?: string): string {
  if (isIP(host) === 6) return `[${host}]`;
  if (domain && shownAs && host.endsWith(`.${domain}`)) {
    return `${host.slice(0, -domain.length)}${shownAs}`;
  }
  return host;
}
