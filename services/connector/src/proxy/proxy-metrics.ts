import { metricName, type Registry } from '@pa-connector/metrics';
import { Counter, Gauge, Histogram } from 'prom-client';

const name = (n: string) => metricName('connector', n);

/** Metrics of the CONNECT proxy, registered on the connector's registry. */
export function proxyMetrics(registry: Registry) {
  const registers = [registry];
  return {
    active: new Gauge({
      name: name('proxy_active_connections'),
      help: 'Connections open on the proxy (reading a request, dialing or piping).',
      registers,
    }),
    accepted: new Counter({
      name: name('proxy_established_connections_total'),
      help: 'CONNECT requests answered 200 and piped to an app server.',
      registers,
    }),
    bytesIn: new Counter({
      name: name('proxy_received_bytes_total'),
      help: 'Bytes from users forwarded to app servers (counted when a connection ends).',
      registers,
    }),
    bytesOut: new Counter({
      name: name('proxy_sent_bytes_total'),
      help: 'Bytes from app servers forwarded to users (counted when a connection ends).',
      registers,
    }),
    errors: new Counter({
      name: name('proxy_errors_total'),
      help: 'Refused or failed connections by reason (not_in_catalog, forbidden_address, no_healthy_server, connection_limit, dial_failed, dial_timeout, header_timeout, idle_timeout, tunnel_down: ended because its tunnel went down, draining: refused while the connector drains, drain_grace_over: cut when the drain grace ended, …).',
      labelNames: ['reason'] as const,
      registers,
    }),
    dialDuration: new Histogram({
      name: name('proxy_dial_duration_seconds'),
      help: 'Time to open the TCP connection to the chosen app server (successful dials).',
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    }),
    listening: new Gauge({
      name: name('proxy_listening_addresses'),
      help: 'Tunnel addresses the proxy is listening on.',
      registers,
    }),
  };
}

export type ProxyMetrics = ReturnType<typeof proxyMetrics>;
