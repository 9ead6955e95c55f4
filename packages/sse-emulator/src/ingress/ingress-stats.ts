import type { TunnelCandidate } from './tunnel-selection';

/** Per tunnel: what the ingress sent through it. */
export interface TunnelCounts {
  key: string;
  gateway: string;
  connectorId: string;
  tunnel: string | null;
  address: string;
  proxyPort: number;
  /** Connections the connector's proxy accepted (200) through this tunnel. */
  carried: number;
  /** Of those, still open. */
  active: number;
  /** Connections the connector's proxy answered with another status (passed to the user). */
  refused: number;
  /** Attempts that never got an answer (relay refused, dial failed, no answer). */
  failed: number;
}

/** Per connector: the sums over its tunnels. */
export interface ConnectorCounts {
  connectorId: string;
  carried: number;
  active: number;
  refused: number;
  failed: number;
}

export interface IngressTotals {
  /** User connections accepted by the listener. */
  connections: number;
  connected: number;
  /** The connector answered non-200 (passed on). */
  refusedByConnector: number;
  badRequest: number;
  unknownApp: number;
  /** 503: no tunnel could take it. */
  unavailable: number;
  /** Attempts that failed on one tunnel and went on to the next. */
  failovers: number;
}

/** Counters of the user ingress, shown by the admin API (tests watch round-robin with them). */
export class IngressStats {
  readonly totals: IngressTotals = {
    connections: 0,
    connected: 0,
    refusedByConnector: 0,
    badRequest: 0,
    unknownApp: 0,
    unavailable: 0,
    failovers: 0,
  };
  readonly #tunnels = new Map<string, TunnelCounts>();

  tunnel(c: TunnelCandidate): TunnelCounts {
    let t = this.#tunnels.get(c.key);
    if (!t) {
      t = {
        key: c.key,
        gateway: c.gateway,
        connectorId: c.connectorId,
        tunnel: c.tunnel,
        address: c.address,
        proxyPort: c.proxyPort,
        carried: 0,
        active: 0,
        refused: 0,
        failed: 0,
      };
      this.#tunnels.set(c.key, t);
    }
    // The connector may have moved its proxy; show where the last connection went.
    t.address = c.address;
    t.proxyPort = c.proxyPort;
    return t;
  }

  tunnels(gateway?: string): TunnelCounts[] {
    const all = [...this.#tunnels.values()].map((t) => ({ ...t }));
    const list = gateway === undefined ? all : all.filter((t) => t.gateway === gateway);
    return list.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  /** Sums per connector over its tunnels (every gateway), sorted by connector id. */
  connectors(): ConnectorCounts[] {
    const by = new Map<string, ConnectorCounts>();
    for (const t of this.#tunnels.values()) {
      const c = by.get(t.connectorId) ?? {
        connectorId: t.connectorId,
        carried: 0,
        active: 0,
        refused: 0,
        failed: 0,
      };
      c.carried += t.carried;
      c.active += t.active;
      c.refused += t.refused;
      c.failed += t.failed;
      by.set(t.connectorId, c);
    }
    return [...by.values()].sort((a, b) =>
      a.connectorId < b.connectorId ? -1 : a.connectorId > b.connectorId ? 1 : 0,
    );
  }
}
