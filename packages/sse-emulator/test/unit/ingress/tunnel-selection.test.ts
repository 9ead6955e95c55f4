import type { ReceivedHealth } from '../../../src/gateways';
import {
  describeExclusions,
  eligibleTunnels,
  type GatewayTunnels,
  RoundRobin,
} from '../../../src/ingress';

const NOW = Date.parse('2026-01-01T00:00:30Z');
const STALE_MS = 15_000;
const WIKI = [{ groupId: 'grp_a', appId: 'wiki' }];

function update(
  connectorId: string,
  o: {
    tunnel?: string;
    state?: string;
    ageSeconds?: number;
    proxyPort?: number | null;
    address?: string;
    addressMatches?: boolean;
    appId?: string;
  } = {},
): ReceivedHealth {
  return {
    connectorId,
    tunnel: o.tunnel ?? 't1',
    remoteAddress: o.address ?? '10.231.1.2',
    addressMatches: o.addressMatches ?? true,
    receivedAt: new Date(NOW - (o.ageSeconds ?? 1) * 1000).toISOString(),
    body: {
      connectorId,
      sentAt: new Date(NOW).toISOString(),
      ...(o.proxyPort === null ? {} : { proxyPort: o.proxyPort ?? 8080 }),
      apps: [{ id: o.appId ?? 'wiki', state: o.state ?? 'up', servers: [] }],
    },
  };
}

function gateway(name: string, health: ReceivedHealth[], running = true): GatewayTunnels {
  return { gateway: name, running, relayPath: `/d/${name}/relay.sock`, health };
}

const ctx = {
  now: NOW,
  staleMs: STALE_MS,
  groupOf: (id: string) =>
    id.startsWith('con_a') ? 'grp_a' : id === 'con_b' ? 'grp_b' : undefined,
};

describe('eligibleTunnels', () => {
  it('takes fresh tunnels reporting the app up or unhealthy, with address and proxy port, sorted', () => {
    const { candidates, excluded } = eligibleTunnels(
      WIKI,
      [
        gateway('gw2', [update('con_a1', { address: '10.231.2.2', state: 'unhealthy' })]),
        gateway('gw1', [update('con_a1', { address: '10.231.1.2', proxyPort: 9000 })]),
      ],
      ctx,
    );
    expect(candidates).toEqual([
      {
        key: 'gw1/con_a1/t1',
        gateway: 'gw1',
        connectorId: 'con_a1',
        tunnel: 't1',
        address: '10.231.1.2',
        proxyPort: 9000,
        relayPath: '/d/gw1/relay.sock',
        appState: 'up',
      },
      expect.objectContaining({
        key: 'gw2/con_a1/t1',
        address: '10.231.2.2',
        appState: 'unhealthy',
      }),
    ]);
    expect(Object.values(excluded).every((n) => n === 0)).toBe(true);
  });

  it('leaves out stale updates, apps down, gateways down, missing ports and foreign addresses', () => {
    const { candidates, excluded } = eligibleTunnels(
      WIKI,
      [
        gateway('gw1', [
          update('con_a1', { ageSeconds: 16 }),
          update('con_a2', { state: 'down' }),
          update('con_a3', { proxyPort: null }),
          update('con_a4', { addressMatches: false }),
          update('con_a5', { appId: 'other' }),
          update('con_a6', { ageSeconds: 15 }),
        ]),
        gateway('gw2', [update('con_a1')], false),
      ],
      ctx,
    );
    // Exactly at the stale age it still counts; one second more and it does not.
    expect(candidates.map((c) => c.key)).toEqual(['gw1/con_a6/t1']);
    expect(excluded).toEqual({
      gatewayDown: 1,
      stale: 1,
      draining: 0,
      appDown: 1,
      appNotReported: 1,
      noProxyPort: 1,
      addressMismatch: 1,
    });
    expect(describeExclusions(excluded)).toContain('1 with stale health updates');
  });

  it('leaves out a draining connector, names it in the reason and lists who was skipped', () => {
    const draining = update('con_a2');
    draining.body.draining = true;
    const { candidates, excluded, skipped } = eligibleTunnels(
      WIKI,
      [gateway('gw1', [update('con_a1'), draining, update('con_a3', { ageSeconds: 20 })])],
      ctx,
    );
    expect(candidates.map((c) => c.key)).toEqual(['gw1/con_a1/t1']);
    expect(excluded.draining).toBe(1);
    expect(skipped).toEqual([
      { key: 'gw1/con_a2/t1', connectorId: 'con_a2', reason: 'draining' },
      { key: 'gw1/con_a3/t1', connectorId: 'con_a3', reason: 'stale' },
    ]);
    expect(describeExclusions({ ...excluded, stale: 0 })).toBe('1 draining');
  });

  it('ignores connectors of groups that do not have the app, and unknown connectors', () => {
    const { candidates, excluded } = eligibleTunnels(
      WIKI,
      [gateway('gw1', [update('con_b'), update('con_gone')])],
      ctx,
    );
    expect(candidates).toEqual([]);
    expect(describeExclusions(excluded)).toBe('no connector of the app group sent a health update');
  });

  it('matches the app id of each group', () => {
    const apps = [
      { groupId: 'grp_a', appId: 'wiki' },
      { groupId: 'grp_b', appId: 'wiki-b' },
    ];
    const { candidates } = eligibleTunnels(
      apps,
      [
        gateway('gw1', [
          update('con_a1', { appId: 'wiki-b' }),
          update('con_b', { appId: 'wiki-b' }),
        ]),
      ],
      ctx,
    );
    expect(candidates.map((c) => c.connectorId)).toEqual(['con_b']);
  });
});

describe('RoundRobin', () => {
  it('starts one further along each time, per app, and puts the rest after it for failover', () => {
    const rr = new RoundRobin();
    const seen = [1, 2, 3, 4].map(() => rr.order('wiki:443', ['a', 'b', 'c']));
    expect(seen).toEqual([
      ['a', 'b', 'c'],
      ['b', 'c', 'a'],
      ['c', 'a', 'b'],
      ['a', 'b', 'c'],
    ]);
    expect(rr.order('other:80', ['x', 'y'])).toEqual(['x', 'y']);
    expect(rr.order('wiki:443', [])).toEqual([]);
  });

  it('alternates between two healthy tunnels and skips one that turned stale', () => {
    const rr = new RoundRobin();
    const two = [gateway('gw1', [update('con_a1')]), gateway('gw2', [update('con_a1')])];
    const firsts = [1, 2, 3, 4].map(
      () => rr.order('wiki', eligibleTunnels(WIKI, two, ctx).candidates)[0]?.gateway,
    );
    expect(firsts).toEqual(['gw1', 'gw2', 'gw1', 'gw2']);
    const oneStale = [
      gateway('gw1', [update('con_a1', { ageSeconds: 60 })]),
      gateway('gw2', [update('con_a1')]),
    ];
    const after = [1, 2, 3].map(
      () => rr.order('wiki', eligibleTunnels(WIKI, oneStale, ctx).candidates)[0]?.gateway,
    );
    expect(after).toEqual(['gw2', 'gw2', 'gw2']);
  });
});
