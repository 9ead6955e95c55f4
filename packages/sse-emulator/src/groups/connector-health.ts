import type { GroupConnectorState } from '@pa-connector/sse-api';
import type { GatewayTunnels } from '../ingress/tunnel-selection';

/** Where the gateways' latest health updates come from (the GatewayFleet when it runs). */
export interface HealthSource {
  tunnels(): GatewayTunnels[];
  /** An update older than this is stale (`--health-stale`). */
  readonly healthStaleSeconds: number;
}

/** One tunnel of a connector as its gateway last heard from it. */
export interface TunnelHealth {
  gateway: string;
  tunnel: string | null;
  address: string;
  receivedAt: string;
  fresh: boolean;
}

/** How the cloud sees one connector, from its tunnels' latest health updates. */
export interface ConnectorHealth {
  state: GroupConnectorState;
  freshTunnels: number;
  tunnels: TunnelHealth[];
  /** App id -> state, from the latest fresh update (empty when silent). */
  apps: Record<string, string>;
}

/**
 * Per connector: `silent` when no tunnel's latest update is fresh; `draining` when the latest of
 * the fresh ones says so; else `active`. Only updates from the connector's own tunnel address
 * count (one naming another connector proves nothing about either).
 */
export function connectorHealth(
  connectorIds: readonly string[],
  gateways: GatewayTunnels[],
  now: number,
  staleMs: number,
): Map<string, ConnectorHealth> {
  const out = new Map<string, ConnectorHealth>();
  const latest = new Map<string, { at: number; body: Record<string, unknown> }>();
  for (const id of connectorIds)
    out.set(id, { state: 'silent', freshTunnels: 0, tunnels: [], apps: {} });
  for (const g of gateways) {
    for (const h of g.health) {
      const entry = out.get(h.connectorId);
      if (!entry || !h.addressMatches) continue;
      const at = Date.parse(h.receivedAt);
      const fresh = g.running && now - at <= staleMs;
      entry.tunnels.push({
        gateway: g.gateway,
        tunnel: h.tunnel,
        address: h.remoteAddress,
        receivedAt: h.receivedAt,
        fresh,
      });
      if (!fresh) continue;
      entry.freshTunnels += 1;
      const seen = latest.get(h.connectorId);
      if (!seen || at >= seen.at) latest.set(h.connectorId, { at, body: h.body });
    }
  }
  for (const [id, entry] of out) {
    entry.tunnels.sort((a, b) => (a.gateway < b.gateway ? -1 : a.gateway > b.gateway ? 1 : 0));
    const last = latest.get(id);
    if (!last) continue;
    entry.state = last.body.draining === true ? 'draining' : 'active';
    entry.apps = appStates(last.body);
  }
  return out;
}

function appStates(body: Record<string, unknown>): Record<string, string> {
  const apps: Record<string, string> = {};
  if (!Array.isArray(body.apps)) return apps;
  for (const a of body.apps as unknown[]) {
    if (typeof a !== 'object' || a === null) continue;
    const { id, state } = a as { id?: unknown; state?: unknown };
    if (typeof id === 'string' && typeof state === 'string') apps[id] = state;
  }
  return apps;
}
