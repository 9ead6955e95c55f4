import { metricName, type Registry } from '@pa-connector/metrics';
import { Counter, Gauge } from 'prom-client';

const name = (n: string) => metricName('connector', n);

/** Every metric the connector's control plane exports, registered on the service's registry. */
export function connectorMetrics(registry: Registry) {
  const registers = [registry];
  return {
    enrollmentAttempts: new Counter({
      name: name('enrollment_attempts_total'),
      help: 'Registration attempts with the SSE, by result (success, retryable_error, permanent_error).',
      labelNames: ['result'] as const,
      registers,
    }),
    enrolled: new Gauge({
      name: name('enrolled'),
      help: '1 once the connector has an identity (enrolled now or loaded from disk).',
      registers,
    }),
    tokenRefreshes: new Counter({
      name: name('token_refreshes_total'),
      help: 'Access tokens obtained, by how (issue, refresh) and result (success, error).',
      labelNames: ['how', 'result'] as const,
      registers,
    }),
    tokenExpiry: new Gauge({
      name: name('token_expiry_timestamp_seconds'),
      help: 'When the current access token expires (Unix time).',
      registers,
    }),
    certificateExpiry: new Gauge({
      name: name('certificate_expiry_timestamp_seconds'),
      help: "When the connector's client certificate expires (Unix time).",
      registers,
    }),
    certificateRenewals: new Counter({
      name: name('certificate_renewals_total'),
      help: 'Certificate renewals, by result (success, error).',
      labelNames: ['result'] as const,
      registers,
    }),
    catalogSyncs: new Counter({
      name: name('catalog_sync_total'),
      help: 'Catalog syncs, by result (updated, not_modified, sse_error, invalid).',
      labelNames: ['result'] as const,
      registers,
    }),
    catalogApps: new Gauge({
      name: name('catalog_apps'),
      help: 'Apps in the catalog currently applied.',
      registers,
    }),
    catalogRejected: new Gauge({
      name: name('catalog_rejected_apps'),
      help: 'Entries of the latest catalog that were rejected by validation.',
      registers,
    }),
    sseRequests: new Counter({
      name: name('sse_requests_total'),
      help: 'Requests to the SSE per attempt, by endpoint and outcome (ok, http_error, network_error, timeout).',
      labelNames: ['endpoint', 'outcome'] as const,
      registers,
    }),
    collectorUp: new Gauge({
      name: name('sse_collector_up'),
      help: 'Per collector URL: 1 while in use, 0 while set aside after failing.',
      labelNames: ['url'] as const,
      registers,
    }),
    internalApiRequests: new Counter({
      name: name('internal_api_requests_total'),
      help: 'Internal API requests by route and status code.',
      labelNames: ['route', 'status'] as const,
      registers,
    }),
  };
}

export type ConnectorMetrics = ReturnType<typeof connectorMetrics>;
