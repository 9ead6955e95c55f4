import type { TunnelView } from '../../../src/edge/tunnel-view';
import { tunnelReadiness } from '../../../src/observer/tunnel-readiness';

const view = (
  name: string,
  phase: TunnelView['phase'],
  extra: Partial<TunnelView> = {},
): TunnelView => ({
  name,
  gateway: `gw-${name}`,
  remote: '192.0.2.1:1194/udp',
  device: `pa-${name}`,
  phase,
  since: '2030-01-01T00:00:00.000Z',
  reconnects: 0,
  bytesIn: 0,
  bytesOut: 0,
  ...extra,
});

describe('tunnel readiness (a pure function of the views)', () => {
  it('is ready with two, and with one tunnel up, not with none', () => {
    const up = view('t1', 'connected', { localAddress: '10.231.1.2', remoteAddress: '10.231.1.1' });
    const r2 = tunnelReadiness([up, view('t2', 'connected')]);
    expect(r2).toMatchObject({ ok: true, detail: { up: 2, total: 2 } });
    const r1 = tunnelReadiness([
      up,
      view('t2', 'reconnecting', { lastError: 'openvpn reconnecting: ping-restart' }),
    ]);
    expect(r1).toMatchObject({ ok: true, detail: { up: 1, total: 2 } });
    expect(r1.detail.tunnels.t1).toMatchObject({
      phase: 'connected',
      localAddress: '10.231.1.2',
      remoteAddress: '10.231.1.1',
    });
    expect(r1.detail.tunnels.t2).toMatchObject({
      phase: 'reconnecting',
      lastError: 'openvpn reconnecting: ping-restart',
    });
    const r0 = tunnelReadiness([view('t1', 'down'), view('t2', 'connecting')]);
    expect(r0).toMatchObject({ ok: false, detail: { up: 0, total: 2 } });
    expect(tunnelReadiness([])).toMatchObject({
      ok: false,
      detail: { up: 0, total: 0, tunnels: {} },
    });
  });

  it('does not show an old error on a connected tunnel', () => {
    const r = tunnelReadiness([view('t1', 'connected', { lastError: 'old' })]);
    expect(r.detail.tunnels.t1).not.toHaveProperty('lastError');
  });
});
