import { parseProxyUrl, redactProxyUrl } from '../../src/client';

describe('proxy URL', () => {
  it('splits credentials from the printable origin', () => {
    const p = parseProxyUrl('http://alice:s3cr%40t-pass@proxy.corp:3128');
    expect(p.origin).toBe('http://proxy.corp:3128');
    expect(p.authorization).toBe(`Basic ${Buffer.from('alice:s3cr@t-pass').toString('base64')}`);
    expect(p.secrets).toContain('s3cr@t-pass');
  });

  it('works without credentials and with an IPv6 proxy', () => {
    expect(parseProxyUrl('http://[fd00::1]:8080')).toEqual({
      origin: 'http://[fd00::1]:8080',
      authorization: undefined,
      secrets: [],
    });
  });

  it.each([
    ['https://u:topsecret@proxy:3128', 'must start with http://'],
    ['socks5://u:topsecret@proxy:1080', 'must start with http://'],
    ['http://u:topsecret@proxy:3128/path', 'must be only'],
    ['not a url topsecret', 'is not a URL'],
  ])('refuses %s without repeating the password', (raw, why) => {
    let message = '';
    try {
      parseProxyUrl(raw);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain(why);
    if (raw.includes('@')) expect(message).not.toContain('topsecret');
  });

  it('redacts user:password in URLs', () => {
    expect(redactProxyUrl('http://u:p@h:1')).toBe('http://[redacted]@h:1');
  });
});
