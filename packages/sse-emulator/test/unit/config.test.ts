import { parseDurationSeconds, parseRegionSpec } from '../../src';
import { serveSettings } from '../../src/cli/serve-options';
import { UsageError } from '../../src/cli/usage-error';
import { urlOf } from '../../src/emulator';
import { hostnameProblem } from '../../src/state/hostname';

describe('parseDurationSeconds', () => {
  it.each([
    ['90', 90],
    ['30s', 30],
    ['10m', 600],
    ['12h', 43_200],
    ['90d', 7_776_000],
    [45, 45],
  ])('%s -> %d', (text, seconds) => expect(parseDurationSeconds(text)).toBe(seconds));

  it.each(['', '0', '-5s', '1.5h', '10w', 'soon', 0])('rejects %j', (text) =>
    expect(parseDurationSeconds(text)).toBeUndefined(),
  );
});

describe('parseRegionSpec', () => {
  it('parses IPv4, IPv6 and hostname gateways', () => {
    expect(parseRegionSpec('east=10.0.0.1:1194/udp,[fd00::2]:443/tcp,gw.example:1195')).toEqual({
      name: 'east',
      gateways: [
        { id: 'east-gw1', name: 'east-gw1', host: '10.0.0.1', port: 1194, protocol: 'udp' },
        { id: 'east-gw2', name: 'east-gw2', host: 'fd00::2', port: 443, protocol: 'tcp' },
        { id: 'east-gw3', name: 'east-gw3', host: 'gw.example', port: 1195, protocol: 'udp' },
      ],
    });
  });

  it.each([
    ['east', /expected name=/],
    ['east=', /no gateways/],
    ['East=1.2.3.4:1', /lowercase/],
    ['east=1.2.3.4', /host:port/],
    ['east=1.2.3.4:70000/udp', /out of range/],
    ['east=1.2.3.4:1/sctp', /host:port/],
    ['east=[nothex]:1/udp', /not an IPv6/],
    ['east=bad_host:1/udp', /not a hostname/],
  ])('rejects %s', (spec, message) => expect(() => parseRegionSpec(spec)).toThrow(message));
});

describe('hostnameProblem', () => {
  it('accepts RFC 1123 names under 64 characters', () => {
    expect(hostnameProblem('vm-01.corp.example')).toBeUndefined();
    expect(hostnameProblem('a'.repeat(63))).toBeUndefined();
  });
  it.each(['', '-lead', 'trail-', 'under_score', 'a..b', 'a'.repeat(64), 'sp ace'])(
    'rejects %j',
    (name) => expect(hostnameProblem(name)).toBeDefined(),
  );
});

describe('serveSettings', () => {
  const files: Record<string, string> = {
    '/cfg.json': JSON.stringify({
      dataDir: '/from-file',
      port: 9443,
      tokenLifetime: '5m',
      regions: [{ name: 'west', gateways: ['127.0.0.1:1194/udp', { host: '::1', port: 1195 }] }],
    }),
    '/token': 'admin-secret\n',
    '/empty': '  \n',
    '/infra.sh':
      "# >>> cloud package settings\nPKG_CLOUD_ENV=''\nPKG_CLOUD_CA=''\n# <<< cloud package settings\n",
  };
  const read = async (p: string) => {
    const text = files[p];
    if (text === undefined) throw new Error('ENOENT: no such file');
    return text;
  };

  it('applies defaults', async () => {
    const { options, logLevel } = await serveSettings(['--data-dir', '/d'], read);
    expect(options).toEqual({
      dataDir: '/d',
      host: '127.0.0.1',
      port: 8443,
      adminHost: '127.0.0.1',
      adminPort: 8444,
    });
    expect(logLevel).toBe('info');
  });

  it('reads flags, repeated --region and --tls-name, and the admin token file', async () => {
    const { options } = await serveSettings(
      [
        '--data-dir',
        '/d',
        '--host',
        '::',
        '--port',
        '0',
        '--admin-port',
        '0',
        '--cert-lifetime',
        '30s',
        '--token-lifetime',
        '10',
        '--region',
        'a=127.0.0.1:1/udp',
        '--region',
        'b=[::1]:2/tcp',
        '--tls-name',
        'sse.test',
        '--admin-token-file',
        '/token',
      ],
      read,
    );
    expect(options).toMatchObject({
      host: '::',
      port: 0,
      adminPort: 0,
      certLifetimeSeconds: 30,
      tokenLifetimeSeconds: 10,
      tlsNames: ['sse.test'],
      adminToken: 'admin-secret',
    });
    expect(options.regions?.map((p) => p.name)).toEqual(['a', 'b']);
  });

  it('takes settings from --config, flags winning', async () => {
    const { options } = await serveSettings(['--config', '/cfg.json', '--port', '1'], read);
    expect(options.dataDir).toBe('/from-file');
    expect(options.port).toBe(1);
    expect(options.tokenLifetimeSeconds).toBe(300);
    expect(options.regions?.[0]?.gateways.map((g) => g.host)).toEqual(['127.0.0.1', '::1']);
  });

  it('reads the profile, the endpoints and the PoP hostnames', async () => {
    const { options } = await serveSettings(
      [
        '--data-dir',
        '/d',
        '--profile',
        'onprem',
        '--endpoint',
        'registration=wgcs.example.test',
        '--endpoint',
        'collector=status.example.test',
        '--endpoint',
        'collector=10.0.0.9:0',
        '--region',
        'us-west=gw1.us-west.example.test,10.0.0.3:443/tcp',
        '--pop-hostname',
        'us-west=us-west.pa-wgcs.example.test',
      ],
      read,
    );
    expect(options.profile).toBe('onprem');
    expect(options.endpoints).toEqual([
      { purpose: 'registration', host: 'wgcs.example.test', port: 443 },
      { purpose: 'collector', host: 'status.example.test', port: 5640 },
      { purpose: 'collector', host: '10.0.0.9', port: 0 },
    ]);
    expect(options.regions?.[0]?.hostnames).toEqual(['us-west.pa-wgcs.example.test']);
    // A gateway without a port takes the profile's (onprem: 5660).
    expect(options.regions?.[0]?.gateways.map((g) => `${g.host}:${g.port}/${g.protocol}`)).toEqual([
      'gw1.us-west.example.test:5660/udp',
      '10.0.0.3:443/tcp',
    ]);
  });

  it('reads the package parts: the bundle path and the infra script text', async () => {
    const { options } = await serveSettings(
      ['--data-dir', '/d', '--bundle', '/b.tar', '--infra-script', '/infra.sh'],
      read,
    );
    expect(options.package).toEqual({ bundlePath: '/b.tar', infraScript: files['/infra.sh'] });
  });

  it('gives the default region PoP hostnames and reads them from the config file', async () => {
    const named = await serveSettings(
      ['--data-dir', '/d', '--pop-hostname', 'local=local.pa-wgcs.example.test'],
      read,
    );
    expect(named.options.regions?.[0]).toMatchObject({
      name: 'local',
      hostnames: ['local.pa-wgcs.example.test'],
    });
    const fromFile = await serveSettings(['--config', '/pops.json'], async (p) =>
      p === '/pops.json'
        ? JSON.stringify({
            dataDir: '/d',
            regions: [{ name: 'de', hostnames: ['DE.pa-wgcs.example.test.'], gateways: ['gw.de'] }],
            endpoints: ['tokens=iam.example.test'],
          })
        : read(p),
    );
    expect(fromFile.options.regions?.[0]?.hostnames).toEqual(['de.pa-wgcs.example.test']);
    expect(fromFile.options.regions?.[0]?.gateways[0]?.port).toBe(443);
    expect(fromFile.options.endpoints).toEqual([
      { purpose: 'tokens', host: 'iam.example.test', port: 443 },
    ]);
  });

  it.each([
    [[], /--data-dir is required/],
    [['--data-dir', '/d', '--profile', 'edge'], /--profile must be saas or onprem/],
    [['--data-dir', '/d', '--endpoint', 'bogus=1'], /"bogus" is not a purpose/],
    [
      ['--data-dir', '/d', '--endpoint', 'tokens=1', '--endpoint', 'tokens=2'],
      /--endpoint tokens is given 2 times/,
    ],
    [['--data-dir', '/d', '--pop-hostname', 'nowhere=a.example'], /no region "nowhere"/],
    [['--data-dir', '/d', '--bundle', '/b.tar'], /--bundle and --infra-script go together/],
    [['--data-dir', '/d', '--infra-script', '/infra.sh'], /go together/],
    [
      ['--data-dir', '/d', '--bundle', '/b.tar', '--infra-script', '/token'],
      /--infra-script \/token: the infra script must hold exactly one/,
    ],
    [['--data-dir', '/d', '--port', 'x'], /--port must be a port/],
    [['--data-dir', '/d', '--cert-lifetime', 'forever'], /--cert-lifetime must be a duration/],
    [['--data-dir', '/d', '--cert-lifetime', '3651d'], /--cert-lifetime must be at most/],
    [['--data-dir', '/d', '--token-lifetime', '31d'], /--token-lifetime must be at most/],
    [['--data-dir', '/d', '--health-stale', '2h'], /--health-stale must be at most 3600 seconds/],
    [
      ['--data-dir', '/d', '--region', 'a=1.2.3.4:1', '--region', 'a=1.2.3.4:2'],
      /given twice|host:port/,
    ],
    [['--data-dir', '/d', '--admin-token-file', '/empty'], /is empty/],
    [['--data-dir', '/d', '--admin-token-file', '/missing'], /ENOENT/],
    [['--config', '/missing'], /--config \/missing/],
    [['--data-dir', '/d', '--bogus'], /Unknown option/],
  ])('rejects %j with a UsageError', async (argv, message) => {
    const attempt = serveSettings(argv as string[], read);
    await expect(attempt).rejects.toBeInstanceOf(UsageError);
    await expect(serveSettings(argv as string[], read)).rejects.toThrow(message);
  });
});

describe('urlOf', () => {
  it('brackets IPv6 and maps wildcard binds to loopback', () => {
    expect(urlOf('https', { address: '::', family: 'IPv6', port: 1 })).toBe('https://[::1]:1');
    expect(urlOf('http', { address: '0.0.0.0', family: 'IPv4', port: 2 })).toBe(
      'http://127.0.0.1:2',
    );
    expect(urlOf('http', { address: 'fd00::1', family: 'IPv6', port: 3 })).toBe(
      'http://[fd00::1]:3',
    );
  });
});
