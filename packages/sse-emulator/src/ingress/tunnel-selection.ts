import type { AppState } from '@pa-connector/sse-api';
import type { ReceivedHealth } from '../gateways/gateway-fleet';
import type { AppMatch } from './app-lookup';

/** What the ingress needs to know of one gateway. */
export interface GatewayTunnels {
  gateway: string;
  /** openvpn server and control helper (with its relay) both up. */
  running: boolean;
  /** The helper's relay socket. */
  relayPath: string;
  /** The latest health update per connector and tunnel. */
  health: ReceivedHealth[];
}

/** One tunnel the ingress may use for an app. */
export interface TunnelCandidate {
  /** `<gateway>/<connectorId>/<tunnel>`: how the ingress counts and logs it. */
  key: string;
  gateway: string;
  connectorId: string;
  tunnel: string | null;
  /** The connector's tunnel address (the update's source) and its proxy's port there. */
  address: string;
  proxyPort: number;
  relayPath: string;
  appState: Extract<AppState, 'up' | 'unhealthy'>;
}

/** Why tunnels were passed over, for the 503 reason and the logs. */
export interface Exclusions {
  gatewayDown: number;
  stale: number;
  /** The connector's latest update says it is draining: no new users go there. */
  draining: number;
  appDown: number;
  appNotReported: number;
  noProxyPort: number;
  addressMismatch: number;
}

/** One tunnel passed over, and why (the ingress logs which connector was skipped). */
export interface SkippedTunnel {
  key: string;
  connectorId: string;
  reason: keyof Exclusions;
}

export interface SelectionContext {
  /** Clock time, ms. */
  now: number;
  /** An update older than this is stale. */
  staleMs: number;
  /** The group of a connector (undefined: unknown or removed). */
  groupOf: (connectorId: string) => string | undefined;
}

function tunnelKey(gateway: string, connectorId: string, tunnel: string | null): string {
  return `${gateway}/${connectorId}/${tunnel ?? ''}`;
}

/**
 * The tunnels that can carry a connection to an app: the latest update on that tunnel is not
 * stale, does not say the connector is draining, comes from a connector of a group whose catalog holds the app, reports the app `up` or
 * `unhealthy`, and names the connector's proxy port; the gateway is running. Sorted by key, so
 * round-robin over them is stable.
 */
export function eligibleTunnels(
  apps: AppMatch[],
  gateways: GatewayTunnels[],
  ctx: SelectionContext,
): { candidates: TunnelCandidate[]; excluded: Exclusions; skipped: SkippedTunnel[] } {
  const excluded: Exclusions = {
    gatewayDown: 0,
    stale: 0,
    draining: 0,
    appDown: 0,
    appNotReported: 0,
    noProxyPort: 0,
    addressMismatch: 0,
  };
  const candidates: TunnelCandidate[] = [];
  const skipped: SkippedTunnel[] = [];
  for (const g of gateways) {
    for (const h of g.health) {
      const group = ctx.groupOf(h.connectorId);
      const app = apps.find((a) => a.groupId === group);
      if (!app) continue;
      const skip = (reason: keyof Exclusions) => {
        excluded[reason] += 1;
        skipped.push({
          key: tunnelKey(g.gateway, h.connectorId, h.tunnel),
          connectorId: h.connectorId,
          reason,
        });
      };
      if (!g.running) {
        skip('gatewayDown');
        continue;
      }
      if (ctx.now - Date.parse(h.receivedAt) > ctx.staleMs) {
        skip('stale');
        continue;
      }
      if (!h.addressMatches) {
        skip('addressMismatch');
        continue;
      }
      if (h.body.draining === true) {
        skip('draining');
        continue;
      }
      const state = reportedState(h.body, app.appId);
      if (state === undefined) {
        skip('appNotReported');
        continue;
      }
      if (state === 'down') {
        skip('appDown');
        continue;
      }
      const proxyPort = h.body.proxyPort;
      if (typeof proxyPort !== 'number' || !Number.isInteger(proxyPort)) {
        skip('noProxyPort');
        continue;
      }
      candidates.push({
        key: tunnelKey(g.gateway, h.connectorId, h.tunnel),
        gateway: g.gateway,
        connectorId: h.connectorId,
        tunnel: h.tunnel,
        address: h.remoteAddress,
        proxyPort,
        relayPath: g.relayPath,
        appState: state,
      });
    }
  }
  candidates.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  skipped.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { candidates, excluded, skipped };
}

function reportedState(body: Record<string, unknown>, appId: string): AppState | undefined {
  if (!Array.isArray(body.apps)) return undefined;
  for (const a of body.apps as unknown[]) {
    if (typeof a !== 'object' || a === null) continue;
    const entry = a as { id?: unknown; state?: unknown };
    if (entry.id !== appId) continue;
    if (entry.state === 'up' || entry.state === 'unhealthy' || entry.state === 'down') {
      return entry.state;
    }
  }
  return undefined;
}

/** "2 stale, 1 reporting the app down": the non-zero exclusions, for a 503 reason. */
export function describeExclusions(e: Exclusions): string {
  const parts: string[] = [];
  if (e.gatewayDown) parts.push(`${e.gatewayDown} on a gateway that is down`);
  if (e.stale) parts.push(`${e.stale} with stale health updates`);
  if (e.draining) parts.push(`${e.draining} draining`);
  if (e.appDown) parts.push(`${e.appDown} reporting the app down`);
  if (e.appNotReported) parts.push(`${e.appNotReported} not reporting the app`);
  if (e.noProxyPort) parts.push(`${e.noProxyPort} without a proxyPort`);
  if (e.addressMismatch) parts.push(`${e.addressMismatch} from an address of another connector`);
  return parts.length ? parts.join(', ') : 'no connector of the app group sent a health update';
}

/**
 * Round-robin per app: each call starts one further along the candidate list; the rest of the
 * returned order is where the ingress fails over to.
 */
export class RoundRobin {
  readonly #next = new Map<string, number>();

  order<T>(appKey: string, candidates: T[]): T[] {
    if (candidates.length === 0) return [];
    const n = this.#next.get(appKey) ?? 0;
    this.#next.set(appKey, n + 1);
    const start = n % candidates.length;
    return [...candidates.slice(start), ...candidates.slice(0, start)];
  }
}
