import type { AppServer } from '@pa-connector/sse-api';

/** A server an app's traffic may go to, with its `host:port` key (IPv6 in brackets). */
export interface Candidate extends AppServer {
  key: string;
}

/**
 * A load-balancing strategy: picks one of an app's healthy servers for a new connection.
 * `candidates` is never empty and keeps the catalog's order.
 */
export interface Strategy {
  readonly name: string;
  pick(appId: string, candidates: readonly Candidate[]): Candidate;
}
