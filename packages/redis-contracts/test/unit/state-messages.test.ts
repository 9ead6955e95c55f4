import {
  type AppHealth,
  type CatalogSnapshot,
  decodeAppHealth,
  decodeCatalogSnapshot,
  decodeTunnelState,
  encodeAppHealth,
  encodeTunnelState,
  type TunnelState,
} from '../../src';

describe('tunnel state', () => {
  const t: TunnelState = {
    name: 't1',
    gateway: 'gw-a',
    remote: '10.0.0.1:1194/udp',
    phase: 'connected',
    since: '2026-01-01T00:00:00.000Z',
    localAddress: '100.64.0.6',
    remoteAddress: '100.64.0.1',
    reconnects: 2,
    bytesIn: 10,
    bytesOut: 20,
  };

  it('round-trips', () => {
    expect(decodeTunnelState(encodeTunnelState(t))).toEqual(t);
  });

  it('rejects text that is not a tunnel state', () => {
    expect(decodeTunnelState('not json')).toBeUndefined();
    expect(decodeTunnelState(JSON.stringify({ ...t, phase: 'flying' }))).toBeUndefined();
    expect(decodeTunnelState(JSON.stringify({ ...t, name: 1 }))).toBeUndefined();
    expect(decodeTunnelState(JSON.stringify({ ...t, bytesIn: 'many' }))).toBeUndefined();
  });

  it('reads counters an older writer left out as 0', () => {
    const { reconnects: _r, bytesIn: _i, bytesOut: _o, ...older } = t;
    expect(decodeTunnelState(JSON.stringify(older))).toEqual({
      ...older,
      reconnects: 0,
      bytesIn: 0,
      bytesOut: 0,
    });
  });
});

describe('app health', () => {
  const a: AppHealth = {
    appId: 'web',
    status: 'unhealthy',
    since: '2026-01-01T00:00:00.000Z',
    servers: [
      { server: '10.1.0.2:80', up: true, checkedAt: '2026-01-01T00:00:01.000Z', failures: 0 },
      {
        server: '[fd00::2]:80',
        up: false,
        checkedAt: '2026-01-01T00:00:01.000Z',
        failures: 3,
        error: 'connect ECONNREFUSED',
      },
    ],
  };

  it('round-trips', () => {
    expect(decodeAppHealth(encodeAppHealth(a))).toEqual(a);
  });

  it('rejects text that is not app health', () => {
    expect(decodeAppHealth('{')).toBeUndefined();
    expect(decodeAppHealth(JSON.stringify({ ...a, status: 'sideways' }))).toBeUndefined();
    expect(decodeAppHealth(JSON.stringify({ ...a, servers: 'x' }))).toBeUndefined();
    expect(decodeAppHealth(JSON.stringify({ ...a, servers: [{ server: 'x' }] }))).toBeUndefined();
  });
});

describe('catalog snapshot', () => {
  const s: CatalogSnapshot = {
    version: 'v7',
    syncedAt: '2026-01-01T00:00:00.000Z',
    apps: [{ id: 'web' }],
    rejected: [{ index: 1, id: 'bad', reason: 'port: not a port' }],
  };

  it('reads what the connector stores, apps left to their reader', () => {
    expect(decodeCatalogSnapshot(JSON.stringify(s))).toEqual(s);
  });

  it('rejects text that is not a snapshot', () => {
    expect(decodeCatalogSnapshot('[]')).toBeUndefined();
    expect(decodeCatalogSnapshot(JSON.stringify({ ...s, apps: {} }))).toBeUndefined();
    expect(
      decodeCatalogSnapshot(JSON.stringify({ ...s, rejected: [{ index: -1 }] })),
    ).toBeUndefined();
  });
});
