import type { CatalogApp, LoadBalancingStrategy } from '@pa-connector/sse-api';
import { formatHostPort } from '../health/host-port';
import { ConnectionCounts } from './connection-counts';
import { LeastConnections } from './least-connections';
import { RoundRobin } from './round-robin';
import type { Candidate, Strategy } from './strategy';

/** Whether health checks consider a server (`host:port`) of an app up (HealthChecker.isServerUp). */
export type ServerHealth = (appId: string, serverKey: string) => boolean;

/** A server chosen for one connection; `release()` when the connection ends. */
export interface ServerPick {
  server: Candidate;
  release(): void;
}

/**
 * Chooses a healthy server of an app by the app's strategy and counts the connection against
 * it until released (least-connections reads those counts).
 */
export class Balancer {
  readonly counts = new ConnectionCounts();
  readonly #isUp: ServerHealth;
  readonly #strategies: Record<LoadBalancingStrategy, Strategy>;
  /** Candidates per app, cached for the app object (the catalog replaces objects on change). */
  readonly #candidates = new WeakMap<CatalogApp, Candidate[]>();

  constructor(isUp: ServerHealth, strategies?: Partial<Record<LoadBalancingStrategy, Strategy>>) {
    this.#isUp = isUp;
    this.#strategies = {
      'round-robin': strategies?.['round-robin'] ?? new RoundRobin(),
      'least-connections': strategies?.['least-connections'] ?? new LeastConnections(this.counts),
    };
  }

  /** A healthy server for a new connection to `app`, or undefined when none is up. */
  pick(app: CatalogApp): ServerPick | undefined {
    let all = this.#candidates.get(app);
    if (!all) {
      all = app.servers.map((s) => ({
        host: s.host,
        port: s.port,
        key: formatHostPort(s.host, s.port),
      }));
      this.#candidates.set(app, all);
    }
    const up = all.filter((c) => this.#isUp(app.id, c.key));
    if (up.length === 0) return undefined;
    const server = this.#strategies[app.strategy].pick(app.id, up);
    return { server, release: this.counts.acquire(app.id, server.key) };
  }
}
