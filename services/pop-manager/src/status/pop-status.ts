import type { TunnelState } from '@pa-connector/redis-contracts';
import type { AppView } from '../apps/app-view';
import type { RecentError } from '../errors/recent-errors';
import type { HostMetrics } from '../host/host-metrics';
import type { ServiceHealth } from '../services/service-health';

/** Where pushing the status to the SSE stands. */
export interface PushState {
  /** ISO time of the last status the connector accepted. */
  lastSuccessAt: string | null;
  /** The last failure (code and message), cleared by a success. */
  lastError: { code: string; message: string; at: string } | null;
  /** A status is waiting to be delivered (a newer one replaces it). */
  pending: boolean;
}

/**
 * What `GET /status` answers, what is stored under `popStatus()` and (without `push`) what the
 * SSE receives. The operator CLI reads it: change it only by adding fields.
 */
export interface PopManagerStatus {
  hostname: string;
  reportedAt: string;
  /** pop-manager's own version (each service's is in `services`). */
  version: string;
  services: ServiceHealth[];
  tunnels: TunnelState[];
  apps: AppView[];
  host: HostMetrics;
  recentErrors: RecentError[];
  /** The update service's status hash as it wrote it (e.g. the release it offers), when present. */
  update?: Record<string, string>;
  push: PushState;
  /** What could not be read this time (e.g. Redis unreachable), one line each. */
  collectErrors: string[];
}

/** The status as collected, before the push state is attached. */
export type CollectedStatus = Omit<PopManagerStatus, 'push'>;
