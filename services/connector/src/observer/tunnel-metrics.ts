import { metricName, type Registry } from '@pa-connector/metrics';
import { Counter, Gauge } from 'prom-client';
import type { TunnelView } from '../edge/tunnel-view';

const name = (n: string) => metricName('connector', n);

/** The tunnel metrics, registered on the service's registry. */
export function tunnelMetrics(registry: Registry) {
  const registers = [registry];
  const labelNames = ['tunnel'] as const;
  return {
    up: new Gauge({
      name: name('tunnel_up'),
      help: '1 while the tunnel is connected, else 0.',
      labelNames,
      registers,
    }),
    received: new Counter({
      name: name('tunnel_received_bytes_total'),
      help: 'Bytes received from the gateway over the tunnel (transport level, openvpn restarts included).',
      labelNames,
      registers,
    }),
    sent: new Counter({
      name: name('tunnel_sent_bytes_total'),
      help: 'Bytes sent to the gateway over the tunnel (transport level, openvpn restarts included).',
      labelNames,
      registers,
    }),
    reconnects: new Counter({
      name: name('tunnel_reconnects_total'),
      help: 'Times the tunnel went from connected to anything else.',
      labelNames,
      registers,
    }),
    stateChange: new Gauge({
      name: name('tunnel_state_change_timestamp_seconds'),
      help: "When the tunnel's phase last changed (Unix time).",
      labelNames,
      registers,
    }),
  };
}

export type TunnelMetrics = ReturnType<typeof tunnelMetrics>;

/** Moves the metrics from the previous view of a tunnel to the new one. */
export function recordTunnel(
  m: TunnelMetrics,
  before: TunnelView | undefined,
  v: TunnelView,
): void {
  const labels = { tunnel: v.name };
  m.up.set(labels, v.phase === 'connected' ? 1 : 0);
  const inDelta = v.bytesIn - (before?.bytesIn ?? 0);
  const outDelta = v.bytesOut - (before?.bytesOut ?? 0);
  if (inDelta > 0) m.received.inc(labels, inDelta);
  if (outDelta > 0) m.sent.inc(labels, outDelta);
  const reconnects = v.reconnects - (before?.reconnects ?? 0);
  if (reconnects > 0) m.reconnects.inc(labels, reconnects);
  else if (!before) m.reconnects.inc(labels, 0);
  if (!before || before.phase !== v.phase) {
    m.stateChange.set(labels, Math.floor(Date.parse(v.since) / 1000));
  }
}
