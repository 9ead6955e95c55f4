import { parseRegionSpec } from '../../src';
import { serveSettings } from '../../src/cli/serve-options';
import { emptyAssignments, TunnelAddressBook } from '../../src/state/tunnel-addresses';

describe('gateway network namespaces in --region', () => {
  it('reads host:port/proto@netns', () => {
    expect(parseRegionSpec('local=10.1.2.3:1194/udp@pa123-gw1,[fd00::3]:443/tcp').gateways).toEqual(
      [
        {
          id: 'local-gw1',
          name: 'local-gw1',
          host: '10.1.2.3',
          port: 1194,
          protocol: 'udp',
          netns: 'pa123-gw1',
        },
        { id: 'local-gw2', name: 'local-gw2', host: 'fd00::3', port: 443, protocol: 'tcp' },
      ],
    );
  });

  it.each([
    ['local=10.1.2.3:1194/udp@', /network namespace ""/],
    ['local=10.1.2.3:1194/udp@bad ns', /network namespace "bad ns"/],
    ['local=10.1.2.3:1194/udp@$(reboot)', /network namespace/],
  ])('rejects %s', (spec, message) => expect(() => parseRegionSpec(spec)).toThrow(message));
});

describe('serveSettings for gateways', () => {
  const files: Record<string, string> = {
    '/gw.json': JSON.stringify({
      dataDir: '/d',
      gateways: true,
      controlPort: 8901,
      healthStale: '30s',
      regions: [
        {
          name: 'local',
          gateways: [
            { host: '10.1.2.3', port: 1194, protocol: 'udp', netns: 'pa123-gw1' },
            '10.1.2.4:1194/tcp@pa123-gw2',
          ],
        },
      ],
    }),
    '/bad-netns.json': JSON.stringify({
      dataDir: '/d',
      regions: [{ name: 'local', gateways: [{ host: '10.1.2.3', port: 1194, netns: 7 }] }],
    }),
    '/bad-flag.json': JSON.stringify({ dataDir: '/d', gateways: 'yes' }),
    '/dup-gateway.json': JSON.stringify({
      dataDir: '/d',
      regions: [
        { name: 'a', gateways: [{ host: '10.1.2.3', port: 1194, name: 'gw' }] },
        { name: 'b', gateways: [{ host: '10.1.2.4', port: 1194, name: 'gw' }] },
      ],
    }),
  };
  const read = async (p: string) => {
    const text = files[p];
    if (text === undefined) throw new Error('ENOENT: no such file');
    return text;
  };

  it('is off unless asked for', async () => {
    const { options } = await serveSettings(['--data-dir', '/d'], read);
    expect(options.gateways).toBeUndefined();
  });

  it('reads --gateways, --control-port and --health-stale', async () => {
    const { options } = await serveSettings(
      ['--data-dir', '/d', '--gateways', '--control-port', '8999', '--health-stale', '1m'],
      read,
    );
    expect(options).toMatchObject({ gateways: true, controlPort: 8999, healthStaleSeconds: 60 });
  });

  it('reads the config file form with namespaces', async () => {
    const { options } = await serveSettings(['--config', '/gw.json'], read);
    expect(options).toMatchObject({ gateways: true, controlPort: 8901, healthStaleSeconds: 30 });
    expect(options.regions?.[0]?.gateways.map((g) => [g.host, g.protocol, g.netns])).toEqual([
      ['10.1.2.3', 'udp', 'pa123-gw1'],
      ['10.1.2.4', 'tcp', 'pa123-gw2'],
    ]);
  });

  it.each([
    [['--config', '/bad-netns.json'], /netns must be a string/],
    [['--config', '/bad-flag.json'], /gateways must be true or false/],
    [['--data-dir', '/d', '--control-port', '0'], /--control-port must not be 0/],
    [['--data-dir', '/d', '--health-stale', 'never'], /--health-stale must be a duration/],
    [['--config', '/dup-gateway.json'], /gateway "gw" is given twice/],
  ])('rejects %j', async (argv, message) =>
    expect(serveSettings(argv, read)).rejects.toThrow(message),
  );
});

describe('TunnelAddressBook', () => {
  it('gives each gateway its own /24 and each connector a fixed address, freed on removal', () => {
    const data = emptyAssignments();
    const book = new TunnelAddressBook(data);
    expect(book.network('gw-a')).toBe('10.231.1.0');
    expect(book.network('gw-b')).toBe('10.231.2.0');
    expect(book.gatewayAddress('gw-b')).toBe('10.231.2.1');
    expect(book.assign('gw-a', 'con_1')).toBe('10.231.1.2');
    expect(book.assign('gw-a', 'con_2')).toBe('10.231.1.3');
    expect(book.assign('gw-a', 'con_1')).toBe('10.231.1.2');
    expect(book.connectorAt('gw-a', '10.231.1.3')).toBe('con_2');

    // A second book over the same (persisted) data sees the same assignments.
    const again = new TunnelAddressBook(JSON.parse(JSON.stringify(data)));
    expect(again.addressOf('gw-a', 'con_2')).toBe('10.231.1.3');
    expect(again.network('gw-b')).toBe('10.231.2.0');

    book.release('con_1');
    expect(book.addressOf('gw-a', 'con_1')).toBeUndefined();
    expect(book.assign('gw-a', 'con_3')).toBe('10.231.1.2');
  });

  it('refuses without changing anything when a gateway is full', () => {
    const book = new TunnelAddressBook(emptyAssignments());
    for (let i = 0; i < 253; i += 1) book.assign('gw', `con_${i}`);
    expect(() => book.checkRoom('gw')).toThrow(/no free tunnel address/);
    expect(() => book.assign('gw', 'con_x')).toThrow(/no free tunnel address/);
    expect(book.clientsOf('gw').size).toBe(253);
  });
});
