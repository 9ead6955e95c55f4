import { formatHostPort, parseHostPort } from '../../../src/endpoints';

describe('parseHostPort', () => {
  it.each([
    ['gw.example.com', { host: 'gw.example.com', port: undefined }],
    ['gw.example.com:5660', { host: 'gw.example.com', port: 5660 }],
    ['10.1.2.3:443', { host: '10.1.2.3', port: 443 }],
    ['2001:db8::1', { host: '2001:db8::1', port: undefined }],
    ['[2001:db8::1]:8443', { host: '2001:db8::1', port: 8443 }],
  ])('reads %s', (text, want) => {
    expect(parseHostPort(text)).toEqual(want);
  });

  it.each(['', 'gw:0', 'gw:70000', '[gw.example]:1', 'a b', 'gw:12:13', 'https://gw'])(
    'refuses %j',
    (text) => {
      expect(parseHostPort(text)).toBeUndefined();
    },
  );

  it('writes IPv6 in brackets', () => {
    expect(formatHostPort('2001:db8::1', 1)).toBe('[2001:db8::1]:1');
    expect(formatHostPort('gw', 2)).toBe('gw:2');
  });
});
