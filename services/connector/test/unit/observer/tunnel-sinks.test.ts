import { createRegistry } from '@pa-connector/metrics';
import { decodeTunnelState, encodeTunnelState } from '@pa-connector/redis-contracts';
import type { TunnelView } from '../../../src/edge/tunnel-view';
import { tunnelState, worthAnnouncing } from '../../../src/observer/redis-sink';
import { recordTunnel, tunnelMetrics } from '../../../src/observer/tunnel-metrics';

const base: TunnelView = {
  name: 't1',
  gateway: 'gw1',
  remote: '192.0.2.1:1194/udp',
  device: 'pa-t1',
  controlUrl: 'http://10.231.1.1:8900',
  pid: 42,
  phase: 'connecting',
  since: '2030-01-01T00:00:00.000Z',
  reconnects: 0,
  bytesIn: 0,
  bytesOut: 0,
};

describe('tunnel sinks', () => {
  it('stores exactly the TunnelState contract in Redis', () => {
    const v: TunnelView = {
      ...base,
      phase: 'connected',
      localAddress: '10.231.1.2',
      connectedAt: base.since,
    };
    const s = tunnelState(v);
    expect(s).toEqual({
      name: 't1',
      gateway: 'gw1',
      remote: '192.0.2.1:1194/udp',
      phase: 'connected',
      since: base.since,
      localAddress: '10.231.1.2',
      reconnects: 0,
      bytesIn: 0,
      bytesOut: 0,
    });
    expect(decodeTunnelState(encodeTunnelState(s))).toEqual(s);
  });

  it('announces phase, address and error changes, not byte counts', () => {
    expect(worthAnnouncing(undefined, base)).toBe(true);
    expect(worthAnnouncing(base, { ...base, bytesIn: 10 })).toBe(false);
    expect(worthAnnouncing(base, { ...base, phase: 'connected' })).toBe(true);
    expect(worthAnnouncing(base, { ...base, localAddress: '10.231.1.2' })).toBe(true);
    expect(worthAnnouncing(base, { ...base, lastError: 'x' })).toBe(true);
  });

  it('moves up, bytes, reconnects and the state-change time', async () => {
    const registry = createRegistry('connector');
    const m = tunnelMetrics(registry);
    const connected: TunnelView = {
      ...base,
      phase: 'connected',
      since: '2030-01-01T00:00:10.000Z',
      bytesIn: 100,
      bytesOut: 50,
    };
    recordTunnel(m, undefined, base);
    recordTunnel(m, base, connected);
    const dropped: TunnelView = {
      ...connected,
      phase: 'reconnecting',
      reconnects: 1,
      since: '2030-01-01T00:00:20.000Z',
      bytesIn: 160,
    };
    recordTunnel(m, connected, dropped);
    const text = await registry.metrics();
    expect(text).toContain('pa_connector_tunnel_up{tunnel="t1"} 0');
    expect(text).toContain('pa_connector_tunnel_received_bytes_total{tunnel="t1"} 160');
    expect(text).toContain('pa_connector_tunnel_sent_bytes_total{tunnel="t1"} 50');
    expect(text).toContain('pa_connector_tunnel_reconnects_total{tunnel="t1"} 1');
    expect(text).toContain(
      `pa_connector_tunnel_state_change_timestamp_seconds{tunnel="t1"} ${Date.parse('2030-01-01T00:00:20Z') / 1000}`,
    );
  });
});
