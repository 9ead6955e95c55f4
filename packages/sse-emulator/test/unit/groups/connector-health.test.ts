import type { ReceivedHealth } from '../../../src/gateways';
import { connectorHealth } from '../../../src/groups/connector-health';
import type { GatewayTunnels } from '../../../src/ingress';

const NOW = Date.parse('2026-01-01T00:01:00Z');

function update(
  connectorId: string,
  ageSeconds: number,
  body: Record<string, unknown> = {},
  addressMatches = true,
): ReceivedHealth {
  return {
    connectorId,
    tunnel: 't',
    remoteAddress: '10.231.1.2',
    addressMatches,
    receivedAt: new Date(NOW - ageSeconds * 1000).toISOString(),
    body: { connectorId, apps: [{ id: 'web', state: 'up' }], ...body },
  };
}

const gw = (gateway: string, health: ReceivedHealth[], running = true): GatewayTunnels => ({
  gateway,
  running,
  relayPath: '/x',
  health,
});

describe('connectorHealth', () => {
  it('active, draining by the latest fresh update, silent without one', () => {
    const seen = connectorHealth(
      ['con_a', 'con_b', 'con_c', 'con_d'],
      [
        gw('gw1', [
          update('con_a', 1),
          update('con_b', 5),
          update('con_c', 20),
          update('con_d', 1, {}, false),
        ]),
        gw('gw2', [update('con_a', 30), update('con_b', 2, { draining: true })]),
      ],
      NOW,
      15_000,
    );
    expect(seen.get('con_a')).toMatchObject({
      state: 'active',
      freshTunnels: 1,
      apps: { web: 'up' },
      tunnels: [
        { gateway: 'gw1', fresh: true },
        { gateway: 'gw2', fresh: false },
      ],
    });
    expect(seen.get('con_b')).toMatchObject({ state: 'draining', freshTunnels: 2 });
    expect(seen.get('con_c')).toMatchObject({ state: 'silent', freshTunnels: 0, apps: {} });
    // An update naming another connector than its address's owner proves nothing.
    expect(seen.get('con_d')).toMatchObject({ state: 'silent', tunnels: [] });
  });

  it('counts nothing heard through a gateway that is down as fresh', () => {
    const seen = connectorHealth(['con_a'], [gw('gw1', [update('con_a', 1)], false)], NOW, 15_000);
    expect(seen.get('con_a')).toMatchObject({ state: 'silent', freshTunnels: 0 });
  });
});
