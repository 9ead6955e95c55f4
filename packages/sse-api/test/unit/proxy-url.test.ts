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

  it.each([
    ['password with /', 'http://alice:pa/ss@proxy:3128', 'alice', 'pa/ss', 'proxy'],
    ['password with :', 'http://alice:pa:ss@proxy:3128', 'alice', 'pa:ss', 'proxy'],
    ['password with @', 'http://alice:p@ss@proxy:3128', 'alice', 'p@ss', 'proxy'],
    ['password with %2F', 'http://alice:pa%2Fss@proxy:3128', 'alice', 'pa/ss', 'proxy'],
    ['one-character password', 'http://alice:x@proxy:3128', 'alice', 'x', 'proxy'],
    ['username with @', 'http://ann@corp.example:pw@proxy:3128', 'ann@corp.example', 'pw', 'proxy'],
    ['no password', 'http://alice@proxy:3128', 'alice', '', 'proxy'],
    ['IPv6 host', 'http://alice:s3/c@[fd00::1]:3128', 'alice', 's3/c', '[fd00::1]'],
  ])(
    '%s: the credentials reach the header and the secret list, never the origin',
    (_n, raw, user, pass, host) => {
      const p = parseProxyUrl(raw);
      expect(p.origin).toBe(`http://${host}:3128`);
      expect(p.authorization).toBe(`Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`);
      expect(p.secrets).toContain(user);
      if (pass) expect(p.secrets).toEqual(expect.arrayContaining([pass, `${user}:${pass}`]));
      expect(redactProxyUrl(raw)).toBe(`http://[redacted]@${host}:3128`);
    },
  );

  it('the secret list holds the encoded and decoded spellings', () => {
    const p = parseProxyUrl('http://alice:pa%2Fss%40x@proxy:3128');
    expect(p.secrets).toEqual(expect.arrayContaining(['pa%2Fss%40x', 'pa/ss@x']));
    const q = parseProxyUrl('http://alice:pa/ss@x@proxy:3128');
    expect(q.secrets).toEqual(expect.arrayContaining(['pa/ss@x', 'pa%2Fss%40x']));
  });

  it('an error about a URL with odd credentials does not repeat them', () => {
    expect(() => parseProxyUrl('ftp://ann@corp:p/w@proxy:21')).toThrow(
      'proxy URL ftp://[redacted]@proxy:21 must start with http://',
    );
    expect(() => parseProxyUrl('http://ann@corp:p/w@')).toThrow(
      /^proxy URL "http:\/\/\[redacted\]@" is not a URL$/,
    );
  });
});
