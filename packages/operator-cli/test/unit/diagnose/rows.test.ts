import { parseNoProxy } from '@pa-connector/sse-api';
import type { GatewayList } from '../../../src/diagnose/gateways';
import { resolveProfile } from '../../../src/diagnose/profile';
import { buildRows } from '../../../src/diagnose/rows';
import { type ConnectionSettings, usesProxy } from '../../../src/diagnose/settings';

const settings = (o: Partial<ConnectionSettings> = {}): ConnectionSettings => ({
  sseUrls: [new URL('https://sse.example.com'), new URL('https://[2001:db8::5]:8443')],
  sseCa: undefined,
  sseCaFile: undefined,
  proxy: undefined,
  noProxy: parseNoProxy(''),
  region: 'eu-1',
  ...o,
});

const gateways: GatewayList = {
  source: 'PA_GATEWAYS',
  gateways: [
    { name: 'gw-a', host: 'gw-a.example.com', port: 443, protocol: 'udp' },
    { name: 'gw-b', host: '192.0.2.7', port: undefined, protocol: 'tcp' },
  ],
};

const proxy = {
  origin: 'http://proxy.corp:3128',
  authorization: 'Basic dTpw',
  secrets: ['p'],
  host: 'proxy.corp',
  port: 3128,
};

const table = (rows: ReturnType<typeof buildRows>) =>
  rows.map((r) => [
    r.service,
    r.destination,
    r.port ?? '-',
    r.protocol,
    r.required ? 'req' : 'opt',
    r.warning ?? '',
  ]);

describe('diagnose rows', () => {
  it('saas: host checks, nameservers, every SSE URL and gateway; 443 expected everywhere', () => {
    const rows = buildRows({
      settings: settings(),
      gateways,
      profile: resolveProfile({}, {}),
      nameservers: ['10.0.0.1', '10.0.0.2'],
    });
    expect(table(rows)).toEqual([
      ['host', 'time zone', '-', '-', 'req', ''],
      ['host', 'resolv.conf', '-', '-', 'req', ''],
      ['host', '10.0.0.1', 53, 'udp/dns', 'opt', ''],
      ['host', '10.0.0.2', 53, 'udp/dns', 'opt', ''],
      ['connector', 'sse.example.com', 443, 'tcp/https', 'req', ''],
      [
        'connector',
        '[2001:db8::5]',
        8443,
        'tcp/https',
        'req',
        'the saas profile expects the SSE API on port 443',
      ],
      ['connector', 'gw-a.example.com', 443, 'udp/openvpn', 'opt', ''],
      ['connector', '192.0.2.7', 443, 'tcp/openvpn', 'req', ''],
    ]);
    expect(rows[2]?.probe).toEqual({
      kind: 'nameserver',
      server: '10.0.0.1',
      name: 'sse.example.com',
    });
    expect(rows[4]?.probe).toEqual({
      kind: 'tls',
      host: 'sse.example.com',
      port: 443,
      viaProxy: false,
    });
    expect(rows[5]?.probe).toMatchObject({ host: '2001:db8::5', port: 8443 });
    expect(rows[6]?.probe.kind).toBe('resolve');
  });

  it('onprem: gateways without a port get the profile port; other ports are flagged', () => {
    const profile = resolveProfile({ profile: 'onprem' }, { PA_DIAG_GATEWAY_PORT: '6000' });
    expect(profile).toEqual({ name: 'onprem', ssePort: 5640, gatewayPort: 6000 });
    const rows = buildRows({
      settings: settings({ sseUrls: [new URL('https://sse.corp:5640')] }),
      gateways,
      profile,
      nameservers: [],
    });
    const sse = rows.find((r) => r.destination === 'sse.corp');
    expect(sse).toMatchObject({ port: 5640 });
    expect(sse?.warning).toBeUndefined();
    expect(rows.find((r) => r.destination === '192.0.2.7')).toMatchObject({ port: 6000 });
    expect(rows.find((r) => r.destination === 'gw-a.example.com')?.warning).toBe(
      'the onprem profile expects gateways on port 6000',
    );
  });

  it('no gateways known: one placeholder row at the profile port, explaining why', () => {
    const rows = buildRows({
      settings: settings(),
      gateways: {
        gateways: [],
        source: '/d/identity/identity.json: the connector has not enrolled yet',
      },
      profile: resolveProfile({ profile: 'onprem', gatewayPort: '5660' }, {}),
      nameservers: [],
    });
    expect(rows.at(-1)).toMatchObject({
      destination: 'gateways of region eu-1',
      port: 5660,
      required: false,
      probe: { kind: 'none', why: expect.stringContaining('not enrolled yet') },
    });
  });

  it('with a proxy: a row for the proxy, SSE through it unless no-proxy matches, UDP flagged', () => {
    const rows = buildRows({
      settings: settings({ proxy, noProxy: parseNoProxy('2001:db8::/32,192.0.2.0/24') }),
      gateways,
      profile: resolveProfile({}, {}),
      nameservers: [],
    });
    expect(rows.find((r) => r.protocol === 'tcp/http-proxy')).toMatchObject({
      destination: 'proxy.corp',
      port: 3128,
      required: true,
    });
    const via = Object.fromEntries(
      rows.map((r) => [r.destination, 'viaProxy' in r.probe ? r.probe.viaProxy : '-']),
    );
    expect(via['sse.example.com']).toBe(true);
    expect(via['[2001:db8::5]']).toBe(false);
    expect(via['192.0.2.7']).toBe(false);
    expect(rows.find((r) => r.destination === 'gw-a.example.com')?.warning).toContain(
      'UDP cannot go through an HTTP proxy',
    );
    expect(JSON.stringify(rows)).not.toContain('dTpw');
  });

  it('rejects ports with the saas profile and bad profile names', () => {
    expect(() => resolveProfile({ ssePort: '5640' }, {})).toThrow('apply to --profile onprem only');
    expect(() => resolveProfile({ profile: 'cloud' }, {})).toThrow(
      '--profile must be saas or onprem',
    );
    expect(() => resolveProfile({ profile: 'onprem', gatewayPort: '70000' }, {})).toThrow(
      '--gateway-port must be a port number',
    );
    expect(() => resolveProfile({ profile: 'onprem' }, { PA_DIAG_SSE_PORT: 'x' })).toThrow(
      'PA_DIAG_SSE_PORT',
    );
  });
});

describe('no-proxy decisions', () => {
  const s = (noProxy: string) => ({ proxy, noProxy: parseNoProxy(noProxy) });
  it.each([
    ['', 'sse.example.com', true],
    ['.example.com', 'sse.example.com', false],
    ['.example.com', 'example.com', true],
    ['*.example.com', 'a.b.example.com', false],
    ['sse.example.com', 'SSE.example.com', false],
    ['10.0.0.0/8', '10.2.3.4', false],
    ['10.0.0.0/8', '11.0.0.1', true],
    ['[::1]', '::1', false],
    ['*', 'anything.corp', false],
  ])('no-proxy %j, host %s -> through the proxy: %s', (list, host, expected) => {
    expect(usesProxy(s(list), host)).toBe(expected);
  });

  it('without a proxy nothing goes through one', () => {
    expect(usesProxy({ proxy: undefined, noProxy: parseNoProxy('') }, 'sse.example.com')).toBe(
      false,
    );
  });
});

describe('app server rows', () => {
  it('one optional TCP row per distinct server; none listed -> one row saying why', () => {
    const rows = buildRows({
      settings: settings(),
      gateways: { gateways: [], source: 'x' },
      appServers: {
        source: '2 apps from pop-manager',
        servers: [
          { app: 'Wiki', host: '10.1.0.5', port: 8443 },
          { app: 'Git', host: 'fd00::8', port: 22 },
        ],
      },
      profile: resolveProfile({}, {}),
      nameservers: [],
    });
    expect(rows.slice(-2)).toEqual([
      {
        service: 'connector',
        destination: '10.1.0.5',
        port: 8443,
        protocol: 'tcp',
        purpose: 'app Wiki (health checks, user traffic)',
        required: false,
        probe: { kind: 'tcp', host: '10.1.0.5', port: 8443, viaProxy: false },
      },
      expect.objectContaining({
        destination: '[fd00::8]',
        port: 22,
        probe: expect.objectContaining({ host: 'fd00::8' }),
      }),
    ]);
    const none = buildRows({
      settings: settings(),
      gateways: { gateways: [], source: 'x' },
      appServers: {
        servers: [],
        source: 'pop-manager is not reachable at http://127.0.0.1:8083/status',
      },
      profile: resolveProfile({}, {}),
      nameservers: [],
    });
    expect(none.at(-1)).toMatchObject({
      destination: 'app servers',
      probe: {
        kind: 'none',
        why: 'none listed: pop-manager is not reachable at http://127.0.0.1:8083/status',
      },
    });
  });
});
