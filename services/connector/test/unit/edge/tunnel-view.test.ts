import {
  initialView,
  nextView,
  type TunnelEvent,
  type TunnelView,
} from '../../../src/edge/tunnel-view';

const t0 = new Date('2030-01-01T00:00:00Z');
const at = (s: number) => new Date(t0.getTime() + s * 1000);

function run(events: TunnelEvent[]): TunnelView[] {
  let v = initialView({
    name: 't1',
    gateway: 'gw1',
    remote: '192.0.2.1:1194/udp',
    device: 'pa-t1',
    controlUrl: 'http://10.231.1.1:8900',
    now: t0,
  });
  const out: TunnelView[] = [];
  events.forEach((e, i) => {
    v = nextView(v, e, at(i + 1));
    out.push(v);
  });
  return out;
}

const state = (s: string, description = '', localIp?: string): TunnelEvent => ({
  type: 'openvpn-state',
  state: s,
  description,
  ...(localIp ? { localIp } : {}),
});

describe('tunnel view derived from events', () => {
  it('starts down, connects, then reconnects after a drop and counts it', () => {
    const views = run([
      { type: 'spawned', pid: 10 },
      state('WAIT'),
      state('AUTH'),
      state('GET_CONFIG'),
      { type: 'route-gateway', address: '10.231.1.1' },
      state('ASSIGN_IP', '', '10.231.1.2'),
      state('CONNECTED', 'SUCCESS', '10.231.1.2'),
      state('RECONNECTING', 'ping-restart'),
      state('WAIT'),
      state('CONNECTED', 'SUCCESS', '10.231.1.2'),
    ]);
    expect(views.map((v) => v.phase)).toEqual([
      'connecting',
      'connecting',
      'connecting',
      'connecting',
      'connecting',
      'connecting',
      'connected',
      'reconnecting',
      'reconnecting',
      'connected',
    ]);
    expect(views[6]).toMatchObject({
      localAddress: '10.231.1.2',
      remoteAddress: '10.231.1.1',
      controlUrl: 'http://10.231.1.1:8900',
      pid: 10,
      reconnects: 0,
      since: at(7).toISOString(),
      connectedAt: at(7).toISOString(),
    });
    // While reconnecting there is no local address to bind to, and the reason is kept.
    expect(views[7]?.localAddress).toBeUndefined();
    expect(views[7]).toMatchObject({
      reconnects: 1,
      lastError: 'openvpn reconnecting: ping-restart',
    });
    // `since` moves only when the phase does.
    expect(views[8]?.since).toBe(at(8).toISOString());
    expect(views[9]).toMatchObject({ reconnects: 1, connectedAt: at(10).toISOString() });
    expect(views[9]?.lastError).toBeUndefined();
  });

  it('a silent gateway makes a connected tunnel reconnect, with the reason kept', () => {
    const views = run([
      { type: 'spawned', pid: 10 },
      state('CONNECTED', 'SUCCESS', '10.231.1.2'),
      { type: 'silent', reason: 'nothing from the gateway for 1.5 s' },
    ]);
    expect(views[2]).toMatchObject({
      phase: 'reconnecting',
      reconnects: 1,
      lastError: 'nothing from the gateway for 1.5 s',
    });
    expect(views[2]?.localAddress).toBeUndefined();
  });

  it('goes down when openvpn ends, and back through reconnecting when it starts again', () => {
    const views = run([
      { type: 'spawned', pid: 10 },
      state('CONNECTED', 'SUCCESS', '10.231.1.2'),
      { type: 'exited', reason: 'openvpn ended by SIGKILL' },
      { type: 'spawned', pid: 11 },
      state('CONNECTED', 'SUCCESS', '10.231.1.2'),
    ]);
    expect(views.map((v) => v.phase)).toEqual([
      'connecting',
      'connected',
      'down',
      'reconnecting',
      'connected',
    ]);
    expect(views[2]).toMatchObject({ reconnects: 1, lastError: 'openvpn ended by SIGKILL' });
    expect(views[2]?.pid).toBeUndefined();
    expect(views[3]?.pid).toBe(11);
  });

  it('a tunnel that never connected stays "connecting" across restarts', () => {
    const views = run([
      { type: 'spawned', pid: 10 },
      state('RECONNECTING', 'tls-error'),
      { type: 'exited', reason: 'x' },
      { type: 'spawned', pid: 11 },
    ]);
    expect(views.map((v) => v.phase)).toEqual(['connecting', 'connecting', 'down', 'connecting']);
    expect(views.every((v) => v.reconnects === 0)).toBe(true);
  });

  it('keeps byte totals and errors, returns the same object when nothing changed', () => {
    const [a, b, c] = run([
      { type: 'bytecount', bytesIn: 5, bytesOut: 7 },
      { type: 'error', reason: 'gateway certificate refused: x' },
      { type: 'error', reason: 'gateway certificate refused: x' },
    ]);
    expect(a).toMatchObject({ bytesIn: 5, bytesOut: 7 });
    expect(b?.lastError).toBe('gateway certificate refused: x');
    expect(c).toBe(b);
  });

  it('nothing changes a stopped tunnel', () => {
    const views = run([
      { type: 'spawned', pid: 10 },
      { type: 'stopped' },
      state('CONNECTED', 'SUCCESS', '10.231.1.2'),
      { type: 'spawned', pid: 12 },
    ]);
    expect(views.map((v) => v.phase)).toEqual(['connecting', 'stopped', 'stopped', 'stopped']);
    expect(views[3]?.pid).toBeUndefined();
  });
});
