import type { Gateway } from '@pa-connector/sse-api';
import { pickGateways, sameGateway } from '../../../src/supervisor/pick-gateways';

const gw = (name: string, host: string, port = 1194, protocol: 'udp' | 'tcp' = 'udp'): Gateway => ({
  id: name,
  name,
  host,
  port,
  protocol,
  serverName: name,
});

describe('gateways for the tunnels', () => {
  it('t1 and t2 go to the first two different gateways, in the SSE order', () => {
    const p = pickGateways([gw('a', '192.0.2.1'), gw('b', '192.0.2.2'), gw('c', '192.0.2.3')], 2);
    expect(p.assignments.map((a) => [a.tunnel, a.gateway.name])).toEqual([
      ['t1', 'a'],
      ['t2', 'b'],
    ]);
    expect(p.shortfall).toBeUndefined();
  });

  it('never puts two tunnels on the same server, even under two names', () => {
    const p = pickGateways(
      [gw('a', '192.0.2.1'), gw('a-again', '192.0.2.1'), gw('b', '192.0.2.2')],
      2,
    );
    expect(p.assignments.map((a) => a.gateway.name)).toEqual(['a', 'b']);
    // Another port or protocol on one host is another server.
    const q = pickGateways([gw('a', 'h.example'), gw('b', 'H.EXAMPLE', 1195)], 2);
    expect(q.assignments).toHaveLength(2);
  });

  it('with a single gateway: one tunnel, and the shortfall is reported', () => {
    const p = pickGateways([gw('a', '192.0.2.1'), gw('a2', '192.0.2.1')], 2);
    expect(p.assignments.map((a) => a.tunnel)).toEqual(['t1']);
    expect(p.shortfall).toEqual({ wanted: 2, distinct: 1 });
    expect(pickGateways([], 2)).toEqual({ assignments: [], shortfall: { wanted: 2, distinct: 0 } });
  });

  it('a tunnel stays when its gateway is unchanged', () => {
    expect(sameGateway(gw('a', '192.0.2.1'), gw('a', '192.0.2.1'))).toBe(true);
    expect(sameGateway(gw('a', '192.0.2.1'), gw('a', '192.0.2.9'))).toBe(false);
    expect(sameGateway(gw('a', '192.0.2.1'), { ...gw('a', '192.0.2.1'), serverName: 'x' })).toBe(
      false,
    );
  });
});
