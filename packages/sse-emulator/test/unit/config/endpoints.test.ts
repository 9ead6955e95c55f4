import {
  bindAddress,
  checkEndpoints,
  PROFILE_PORTS,
  parseEndpointSpec,
  parseProfile,
} from '../../../src/config/endpoints';

describe('parseEndpointSpec', () => {
  it.each([
    ['registration=8080', { purpose: 'registration', port: 8080 }],
    ['tokens=0', { purpose: 'tokens', port: 0 }],
    ['catalog=wgcs.example.test', { purpose: 'catalog', host: 'wgcs.example.test', port: 443 }],
    [
      'registration=WGCS.Example.test',
      { purpose: 'registration', host: 'wgcs.example.test', port: 8080 },
    ],
    [
      'collector=status.example.test:5641',
      { purpose: 'collector', host: 'status.example.test', port: 5641 },
    ],
    ['collector=10.0.0.5:0', { purpose: 'collector', host: '10.0.0.5', port: 0 }],
    ['tokens=[::1]:9443', { purpose: 'tokens', host: '::1', port: 9443 }],
    ['tokens=[fd00::5]', { purpose: 'tokens', host: 'fd00::5', port: 443 }],
    ['tokens=fd00::5', { purpose: 'tokens', host: 'fd00::5', port: 443 }],
    [
      'tokens=iam.example.test:9443@10.0.0.7',
      { purpose: 'tokens', host: 'iam.example.test', port: 9443, bind: '10.0.0.7' },
    ],
    ['registration=:0@127.0.0.1', undefined],
  ])('%s', (spec, expected) => {
    if (expected === undefined) {
      expect(() => parseEndpointSpec(spec, 'saas')).toThrow(/expected PURPOSE=/);
    } else {
      expect(parseEndpointSpec(spec, 'saas')).toEqual(expected);
    }
  });

  it('takes a missing port from the profile', () => {
    const port = (spec: string, profile: 'saas' | 'onprem') =>
      parseEndpointSpec(spec, profile).port;
    expect(port('registration=wgcs.example.test', 'saas')).toBe(8080);
    expect(port('collector=status.example.test', 'saas')).toBe(443);
    expect(port('registration=wgcs.example.test', 'onprem')).toBe(443);
    expect(port('collector=status.example.test', 'onprem')).toBe(5640);
    expect(PROFILE_PORTS.onprem.gateway).toBe(5660);
    expect(PROFILE_PORTS.saas.gateway).toBe(443);
  });

  it.each([
    ['registration', /expected PURPOSE=\[host:\]port/],
    ['=8080', /expected PURPOSE=\[host:\]port/],
    ['ingest=8080', /"ingest" is not a purpose \(registration, tokens, catalog, collector\)/],
    ['tokens=', /expected PURPOSE=/],
    ['tokens=70000', /port 70000 is out of range/],
    ['tokens=bad_host:1', /"bad_host" is not a hostname or IP address/],
    ['tokens=[nothex]:1', /"\[nothex\]" is not an IPv6 address/],
    ['tokens=host:1@somewhere', /"@somewhere" is not an IP address/],
    ['tokens=a:b:c', /expected PURPOSE=/],
  ])('refuses %s', (spec, message) =>
    expect(() => parseEndpointSpec(spec, 'saas')).toThrow(message),
  );
});

describe('parseProfile', () => {
  it('knows saas and onprem only', () => {
    expect(parseProfile('saas')).toBe('saas');
    expect(parseProfile('onprem')).toBe('onprem');
    expect(() => parseProfile('cloud')).toThrow('--profile must be saas or onprem, got "cloud"');
  });
});

describe('checkEndpoints', () => {
  it('allows several collectors but one endpoint of every other purpose', () => {
    expect(() =>
      checkEndpoints([
        { purpose: 'collector', port: 0 },
        { purpose: 'collector', port: 0 },
        { purpose: 'registration', port: 0 },
      ]),
    ).not.toThrow();
    expect(() =>
      checkEndpoints([
        { purpose: 'tokens', port: 0 },
        { purpose: 'tokens', port: 1 },
      ]),
    ).toThrow('--endpoint tokens is given 2 times (only collector may have several)');
  });
});

describe('bindAddress', () => {
  it('listens on the bind address, else an address host, else the SSE host', () => {
    expect(
      bindAddress({ purpose: 'tokens', port: 1, bind: '10.0.0.1', host: '10.0.0.2' }, '::'),
    ).toBe('10.0.0.1');
    expect(bindAddress({ purpose: 'tokens', port: 1, host: '10.0.0.2' }, '::')).toBe('10.0.0.2');
    expect(bindAddress({ purpose: 'tokens', port: 1, host: 'iam.example.test' }, '::')).toBe('::');
    expect(bindAddress({ purpose: 'tokens', port: 1 }, '127.0.0.1')).toBe('127.0.0.1');
  });
});
