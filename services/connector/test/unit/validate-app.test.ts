import { validateApp, validateCatalog } from '../../src/catalog/validate-app';

const good = {
  id: 'wiki',
  name: 'Wiki',
  host: 'wiki.corp',
  port: 443,
  servers: [{ host: '10.0.0.5', port: 8443 }],
};

describe('catalog entry validation', () => {
  it('fills defaults: round-robin and a TCP check', () => {
    expect(validateApp(good)).toEqual({
      ok: true,
      app: { ...good, strategy: 'round-robin', healthCheck: { type: 'tcp' } },
    });
  });

  it('keeps a valid http check, strategy, IPv6 hosts, and drops unknown fields', () => {
    const r = validateApp({
      ...good,
      host: 'fd00::10',
      extra: 'ignored',
      strategy: 'least-connections',
      healthCheck: { type: 'http', path: '/health', expectStatus: 204 },
      servers: [
        { host: '::1', port: 1 },
        { host: 'srv.corp', port: 65535 },
      ],
    });
    expect(r).toEqual({
      ok: true,
      app: {
        id: 'wiki',
        name: 'Wiki',
        host: 'fd00::10',
        port: 443,
        servers: [
          { host: '::1', port: 1 },
          { host: 'srv.corp', port: 65535 },
        ],
        strategy: 'least-connections',
        healthCheck: { type: 'http', path: '/health', expectStatus: 204 },
      },
    });
  });

  it.each([
    ['not an object', 'x', 'entry is not an object'],
    ['no id', { ...good, id: '' }, 'id is missing'],
    ['no name', { ...good, name: ' ' }, 'name is missing'],
    ['bad host', { ...good, host: 'bad host!' }, 'host "bad host!"'],
    ['bracketed IPv6', { ...good, host: '[::1]' }, 'host "[::1]"'],
    ['port 0', { ...good, port: 0 }, 'port 0'],
    ['port 65536', { ...good, port: 65536 }, 'port 65536'],
    ['port as text', { ...good, port: '443' }, 'port "443"'],
    ['no servers', { ...good, servers: [] }, 'servers must be a non-empty list'],
    ['server bad port', { ...good, servers: [{ host: 'a', port: 70000 }] }, 'servers[0].port'],
    ['server bad host', { ...good, servers: [{ host: '', port: 80 }] }, 'servers[0].host'],
    ['bad strategy', { ...good, strategy: 'random' }, 'strategy "random"'],
    ['http check without path', { ...good, healthCheck: { type: 'http' } }, 'healthCheck.path'],
    [
      'http check bad status',
      { ...good, healthCheck: { type: 'http', path: '/', expectStatus: 99 } },
      'expectStatus',
    ],
    ['unknown check', { ...good, healthCheck: { type: 'icmp' } }, 'healthCheck.type "icmp"'],
  ])('rejects %s', (_what, raw, reason) => {
    const r = validateApp(raw);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain(reason);
  });

  it('applies the good entries and reports the bad ones with index and id', () => {
    const other = { ...good, id: 'git', host: 'git.corp' };
    const r = validateCatalog([good, { ...good, id: 'broken', port: -1 }, 42, other]);
    expect(r.apps.map((a) => a.id)).toEqual(['wiki', 'git']);
    expect(r.rejected).toEqual([
      { index: 1, id: 'broken', reason: expect.stringContaining('port -1') },
      { index: 2, reason: 'entry is not an object' },
    ]);
  });

  it('rejects every entry sharing an id or a host:port', () => {
    const r = validateCatalog([
      good,
      { ...good, host: 'other.corp' },
      { ...good, id: 'b', host: 'x.corp', port: 22 },
      { ...good, id: 'c', host: 'X.corp', port: 22 },
      { ...good, id: 'd', host: 'd.corp' },
    ]);
    expect(r.apps.map((a) => a.id)).toEqual(['d']);
    expect(r.rejected.map((x) => [x.index, x.reason])).toEqual([
      [0, 'id "wiki" is used by more than one entry'],
      [1, 'id "wiki" is used by more than one entry'],
      [2, 'x.corp:22 is the address of more than one entry'],
      [3, 'x.corp:22 is the address of more than one entry'],
    ]);
  });
});
