import { gatewayHost, popOfGateway, withPopHostnames } from '../../../src/config/pop-hostnames';
import { parseRegionSpec } from '../../../src/config/regions';

const regions = [
  parseRegionSpec('us-west=10.1.0.2:443/udp,10.1.0.3:443/tcp'),
  parseRegionSpec('de=gw1.de.example.test:443/udp,[fd00::7]:443/udp'),
];

describe('withPopHostnames', () => {
  it('adds normalized names to the regions they name', () => {
    const named = withPopHostnames(regions, [
      'us-west=US-West.pa-wgcs.example.test.',
      'de=de.pa-wgcs.example.test,de2.pa-wgcs.example.test',
    ]);
    expect(named.map((r) => r.hostnames)).toEqual([
      ['us-west.pa-wgcs.example.test'],
      ['de.pa-wgcs.example.test', 'de2.pa-wgcs.example.test'],
    ]);
    expect(named[0]?.gateways).toEqual(regions[0]?.gateways);
  });

  it.each([
    ['us-west', /expected REGION=NAME/],
    ['fr=fr.example.test', /no region "fr" \(us-west, de\)/],
    ['de=10.0.0.1', /"10.0.0.1" is not a hostname/],
    ['de=bad_name.example', /"bad_name.example" is not a hostname/],
    ['de=', /"" is not a hostname/],
  ])('refuses %s', (spec, message) =>
    expect(() => withPopHostnames(regions, [spec])).toThrow(message),
  );

  it('refuses a name given to two PoPs', () => {
    expect(() =>
      withPopHostnames(regions, ['de=pop.example.test', 'us-west=POP.example.test']),
    ).toThrow('PoP hostname "pop.example.test" is given to both us-west and de');
  });
});

describe('gatewayHost', () => {
  it.each([
    ['us-west.pa-wgcs.skyhigh.cloud', 'us-west.pa-wgcs.skyhigh.cloud'],
    ['US-West.PA-WGCS.skyhigh.cloud.', 'us-west.pa-wgcs.skyhigh.cloud'],
    ['us-west.pa-wgcs.skyhigh.cloud:443', 'us-west.pa-wgcs.skyhigh.cloud'],
    ['10.1.0.2:5660', '10.1.0.2'],
    ['[FD00::7]:443', 'fd00::7'],
    ['fd00::7', 'fd00::7'],
    ['  gw.example.test  ', 'gw.example.test'],
  ])('%s -> %s', (gateway, host) => expect(gatewayHost(gateway)).toBe(host));
});

describe('popOfGateway', () => {
  const named = withPopHostnames(regions, ['us-west=us-west.pa-wgcs.example.test']);
  it('finds a PoP by its hostnames and by its gateways hosts', () => {
    expect(popOfGateway(named, 'US-WEST.pa-wgcs.example.test.')?.name).toBe('us-west');
    expect(popOfGateway(named, '10.1.0.3')?.name).toBe('us-west');
    expect(popOfGateway(named, 'gw1.de.example.test:443')?.name).toBe('de');
    expect(popOfGateway(named, '[fd00::7]')?.name).toBe('de');
  });
  it('finds nothing for another name', () => {
    expect(popOfGateway(named, 'eu.pa-wgcs.example.test')).toBeUndefined();
    expect(popOfGateway(named, '')).toBeUndefined();
    expect(popOfGateway(named, 'example.test')).toBeUndefined();
  });
});
