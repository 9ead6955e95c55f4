import { MAX_CATALOG_ENTRIES, validateApp, validateCatalog } from '../../src/catalog/validate-app';

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
    ...(
      [
        ['a space', '/health check', 'U+0020'],
        ['a control character', '/health\u0000', 'U+0000'],
        ['a line break', '/a\r\nHost: evil', 'U+000D'],
        ['non-ASCII', '/sant\u00e9', 'U+00E9'],
        ['a broken percent-encoding', '/a%2', '"%" that is not followed by two hex digits'],
        ['a non-hex percent-encoding', '/a%zz', '"%" that is not followed by two hex digits'],
        ['a fragment', '/a#b', 'fragment'],
        ['no leading slash', 'health', 'must start with "/"'],
        ['a huge path', `/${'a'.repeat(5000)}`, 'longer than 2048'],
      ] as const
    ).map(([what, path, reason]): [string, unknown, string] => [
      `an http path with ${what}`,
      { ...good, healthCheck: { type: 'http', path } },
      reason,
    ]),
    [
      'an http check with POST',
      { ...good, healthCheck: { type: 'http', path: '/', method: 'POST' } },
      'healthCheck.method "POST" is not one of GET, HEAD',
    ],
    [
      'a status as text',
      { ...good, healthCheck: { type: 'http', path: '/', expectStatus: '200' } },
      'expectStatus "200"',
    ],
    ['a fractional port', { ...good, port: 80.5 }, 'port 80.5'],
    ['an IPv6 host with a zone', { ...good, host: 'fe80::1%eth0' }, 'host "fe80::1%eth0"'],
    ['an id with a space', { ...good, id: 'a b' }, 'id "a b" may hold only'],
    [
      'an id with a trailing line break',
      { ...good, id: 'wiki\r\n' },
      'id "wiki\\r\\n" may hold only',
    ],
    ['an id too long', { ...good, id: 'a'.repeat(129) }, 'id is longer than 128'],
    ['a name with a control character', { ...good, name: 'Wi\u0007ki' }, 'control characters'],
    ['a name too long', { ...good, name: 'n'.repeat(257) }, 'name is longer than 256'],
    [
      'too many servers',
      { ...good, servers: Array.from({ length: 65 }, (_, i) => ({ host: 'a', port: i + 1 })) },
      'servers holds 65 entries; at most 64',
    ],
    [
      'the same server twice (IPv6 spelled two ways)',
      {
        ...good,
        servers: [
          { host: 'FD00:0::1', port: 80 },
          { host: 'fd00::1', port: 80 },
        ],
      },
      'servers[1] repeats servers[0] ([fd00::1]:80)',
    ],
  ] as Array<[string, unknown, string]>)('rejects %s', (_what, raw, reason) => {
    const r = validateApp(raw);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain(reason);
  });

  it('keeps an RFC 3986 path with a query and percent-encodings, and the method when given', () => {
    const path = "/h%C3%A9alth/a:b@c;d=e/!$&'()*+,~?x=1&y=/?z%20";
    expect(validateApp({ ...good, healthCheck: { type: 'http', path, method: 'HEAD' } })).toEqual({
      ok: true,
      app: expect.objectContaining({
        healthCheck: { type: 'http', path, expectStatus: 200, method: 'HEAD' },
      }),
    });
  });

  it('quotes a huge value in a reason only in part', () => {
    const r = validateApp({ ...good, host: 'h'.repeat(100_000) });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason.length).toBeLessThan(200);
  });

  it('rejects every entry sharing an IPv6 address however it is spelled', () => {
    const r = validateCatalog([
      { ...good, id: 'a', host: 'FD00:0:0::10' },
      { ...good, id: 'b', host: 'fd00::10' },
    ]);
    expect(r.apps).toEqual([]);
    expect(r.rejected.map((x) => x.reason)).toEqual([
      '[fd00::10]:443 is the address of more than one entry',
      '[fd00::10]:443 is the address of more than one entry',
    ]);
  });

  it('rejects entries beyond the catalog bound and keeps the first ones', () => {
    const entries = Array.from({ length: MAX_CATALOG_ENTRIES + 2 }, (_, i) => ({
      ...good,
      id: `app-${i}`,
      port: (i % 60_000) + 1,
      host: `h${Math.floor(i / 60_000)}.corp`,
    }));
    const r = validateCatalog(entries);
    expect(r.apps).toHaveLength(MAX_CATALOG_ENTRIES);
    expect(r.rejected).toEqual([
      { index: MAX_CATALOG_ENTRIES, reason: expect.stringContaining('more than 10000 entries') },
      { index: MAX_CATALOG_ENTRIES + 1, reason: expect.stringContaining('more than 10000') },
    ]);
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
