import { loadConfig } from '@pa-connector/config';
import { cloudEndpoints, cloudSettings, parseNoProxy } from '@pa-connector/sse-api';
import type { GatewayList } from '../../../src/diagnose/gateways';
import { resolveProfile, withProfilePorts } from '../../../src/diagnose/profile';
import { buildRows } from '../../../src/diagnose/rows';
import { type ConnectionSettings, usesProxy } from '../../../src/diagnose/settings';

const SSE_URLS = 'https://sse.example.com,https://[2001:db8::5]:8443';

const settings = (
  o: Partial<ConnectionSettings> = {},
  env: Record<string, string> = { PA_SSE_URLS: SSE_URLS },
): ConnectionSettings => ({
  endpoints: cloudEndpoints(loadConfig(cloudSettings(), env)),
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
    r.section,
    r.service,
    r.destination,
    r.port ?? '-',
    r.protocol,
    r.required ? 'req' : 'opt',
    r.warning ?? '',
  ]);

describe('diagnose rows', () => {
  it('saas: the firewall table first (one row per purpose and URL), then the other checks', () => {
    const rows = buildRows({
      settings: settings(),
      gateways,
      profile: resolveProfile({}, {}),
      nameservers: ['10.0.0.1', '10.0.0.2'],
    });
    const saasPorts = 'the saas profile expects';
    expect(table(rows)).toEqual([
      ['firewall', 'connector', '<pop>.pa-wgcs.pa-connector.net', 443, 'udp/tcp', 'opt', ''],
      [
        'firewall',
        'connector',
        'sse.example.com',
        443,
        'tcp',
        'req',
        `${saasPorts} connector registration on port 8080`,
      ],
      [
        'firewall',
        'connector',
        '[2001:db8::5]',
        8443,
        'tcp',
        'req',
        `${saasPorts} connector registration on port 8080`,
      ],
      ['firewall', 'connector', 'sse.example.com', 443, 'tcp', 'req', ''],
      [
        'firewall',
        'connector',
        '[2001:db8::5]',
        8443,
        'tcp',
        'req',
        `${saasPorts} tokens on port 443`,
      ],
      ['firewall', 'connector', 'sse.example.com', 443, 'tcp', 'req', ''],
      [
        'firewall',
        'connector',
        '[2001:db8::5]',
        8443,
        'tcp',
        'req',
        `${saasPorts} POP status, logs and health on port 443`,
      ],
      ['firewall', 'connector', 'sse.example.com', 443, 'tcp', 'req', ''],
      [
        'firewall',
        'connector',
        '[2001:db8::5]',
        8443,
        'tcp',
        'req',
        `${saasPorts} catalog and release on port 443`,
      ],
      ['firewall', 'connector', 'registry.pa-connector.net', 443, 'tcp', 'opt', ''],
      ['checks', 'host', 'time zone', '-', '-', 'req', ''],
      ['checks', 'host', 'resolv.conf', '-', '-', 'req', ''],
      ['checks', 'host', '10.0.0.1', 53, 'udp/dns', 'opt', ''],
      ['checks', 'host', '10.0.0.2', 53, 'udp/dns', 'opt', ''],
      ['checks', 'connector', 'gw-a.example.com', 443, 'udp/openvpn', 'opt', ''],
      ['checks', 'connector', '192.0.2.7', 443, 'tcp/openvpn', 'req', ''],
    ]);
    expect(rows[0]?.probe).toEqual({
      kind: 'none',
      why: "PA_GATEWAY is not set: the PoP's gateways are checked below",
    });
    expect(rows[1]?.purpose).toBe('connector registration');
    expect(rows[12]?.probe).toEqual({
      kind: 'nameserver',
      server: '10.0.0.1',
      name: 'sse.example.com',
    });
    expect(rows[3]?.probe).toEqual({
      kind: 'tls',
      host: 'sse.example.com',
      port: 443,
      viaProxy: false,
    });
    expect(rows[2]?.probe).toMatchObject({ host: '2001:db8::5', port: 8443 });
    expect(rows[9]?.probe).toEqual({
      kind: 'tcp',
      host: 'registry.pa-connector.net',
      port: 443,
      viaProxy: false,
    });
    expect(rows.find((r) => r.destination === 'gw-a.example.com')?.probe.kind).toBe('resolve');
  });

  it("derived from the cloud's domain: the document's rows, the named gateway checked by TCP", () => {
    const rows = buildRows({
      settings: settings(
        {},
        { PA_CLOUD_DOMAIN: 'skyhigh.cloud', PA_GATEWAY: 'us-west.pa-wgcs.skyhigh.cloud' },
      ),
      gateways: { gateways: [], source: 'x' },
      profile: resolveProfile({}, {}),
      nameservers: [],
    });
    const firewall = rows.filter((r) => r.section === 'firewall');
    expect(firewall.map((r) => [r.destination, r.port, r.purpose, r.warning ?? ''])).toEqual([
      ['us-west.pa-wgcs.skyhigh.cloud', 443, 'tunnel to the gateway', ''],
      ['wgcs.skyhigh.cloud', 8080, 'connector registration', ''],
      ['iam.skyhigh.cloud', 443, 'tokens', ''],
      ['status.skyhigh.cloud', 443, 'POP status, logs and health', ''],
      ['wgcs.skyhigh.cloud', 443, 'catalog and release', ''],
      ['registry.skyhigh.cloud', 443, 'image pulls', ''],
    ]);
    expect(firewall[0]?.probe).toEqual({
      kind: 'tcp',
      host: 'us-west.pa-wgcs.skyhigh.cloud',
      port: 443,
      viaProxy: false,
    });
  });

  it('onprem: --sse-port and --gateway-port move the derived endpoints; other ports are flagged', () => {
    const profile = resolveProfile({ profile: 'onprem' }, { PA_DIAG_GATEWAY_PORT: '6000' });
    expect(profile).toEqual({ name: 'onprem', ssePort: 5640, gatewayPort: 6000 });
    const env = {
      PA_CLOUD_DOMAIN: 'sse.corp',
      PA_CLOUD_PROFILE: 'onprem',
      PA_GATEWAY: 'gw.sse.corp',
    };
    const base = settings({}, env);
    const rows = buildRows({
      settings: { ...base, endpoints: withProfilePorts(base.endpoints, profile, false) },
      gateways,
      profile,
      nameservers: [],
    });
    const firewall = rows.filter((r) => r.section === 'firewall');
    expect(firewall.map((r) => [r.destination, r.port, r.warning ?? ''])).toEqual([
      ['gw.sse.corp', 6000, ''],
      ['wgcs.sse.corp', 443, ''],
      ['iam.sse.corp', 443, ''],
      ['status.sse.corp', 5640, ''],
      ['wgcs.sse.corp', 443, ''],
      ['registry.sse.corp', 443, ''],
    ]);
    expect(rows.find((r) => r.destination === '192.0.2.7')).toMatchObject({ port: 6000 });
    expect(rows.find((r) => r.destination === 'gw-a.example.com')?.warning).toBe(
      'the onprem profile expects gateways on port 6000',
    );
    const moved = resolveProfile({ profile: 'onprem', ssePort: '9443' }, {});
    const all = buildRows({
      settings: { ...base, endpoints: withProfilePorts(base.endpoints, moved, false) },
      gateways,
      profile: moved,
      nameservers: [],
    });
    expect(all.filter((r) => r.probe.kind === 'tls').map((r) => r.port)).toEqual([
      9443, 9443, 9443, 9443,
    ]);
  });

  it('no gateways known: the firewall row says why', () => {
    const rows = buildRows({
      settings: settings(),
      gateways: {
        gateways: [],
        source: '/d/identity/identity.json: the connector has not enrolled yet',
      },
      profile: resolveProfile({ profile: 'onprem', gatewayPort: '5660' }, {}),
      nameservers: [],
    });
    expect(rows[0]).toMatchObject({
      destination: '<pop>.pa-wgcs.pa-connector.net',
      purpose: 'tunnel to the gateway',
      required: false,
      probe: {
        kind: 'none',
        why: expect.stringMatching(/region eu-1.*not enrolled yet/),
      },
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

  it('takes the profile from PA_CLOUD_PROFILE, the flag winning', () => {
    expect(resolveProfile({}, { PA_CLOUD_PROFILE: 'onprem' }).name).toBe('onprem');
    expect(resolveProfile({ profile: 'saas' }, { PA_CLOUD_PROFILE: 'onprem' }).name).toBe('saas');
    expect(resolveProfile({}, { PA_DIAG_PROFILE: 'onprem' }).name).toBe('onprem');
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
        section: 'checks',
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
