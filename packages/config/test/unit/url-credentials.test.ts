import {
  credentialSpellings,
  redactUrl,
  redactUrlCredentials,
  splitUrlCredentials,
} from '../../src';

describe('URL credentials', () => {
  it.each([
    ['password with /', 'http://alice:pa/ss@proxy:3128', 'alice', 'pa/ss', 'proxy:3128'],
    ['password with :', 'http://alice:pa:ss@proxy:3128', 'alice', 'pa:ss', 'proxy:3128'],
    ['password with @', 'http://alice:p@ss@proxy:3128', 'alice', 'p@ss', 'proxy:3128'],
    ['password with %2F', 'http://alice:pa%2Fss@proxy:3128', 'alice', 'pa%2Fss', 'proxy:3128'],
    ['one-character password', 'http://alice:x@proxy:3128', 'alice', 'x', 'proxy:3128'],
    [
      'username with @',
      'http://ann@corp.example:pw@proxy:3128',
      'ann@corp.example',
      'pw',
      'proxy:3128',
    ],
    ['no password', 'http://alice@proxy:3128', 'alice', undefined, 'proxy:3128'],
    ['IPv6 host', 'http://alice:s3/c@[fd00::1]:3128', 'alice', 's3/c', '[fd00::1]:3128'],
  ])('%s: split by the last @, redacted by position', (_name, raw, user, password, rest) => {
    expect(splitUrlCredentials(raw)).toEqual({ scheme: 'http://', user, password, rest });
    const shown = redactUrl(raw);
    expect(shown).toBe(`http://[redacted]@${rest}`);
    const line = JSON.stringify({ msg: `proxy ${raw} refused` });
    const scrubbed = redactUrlCredentials(line);
    expect(scrubbed).toBe(JSON.stringify({ msg: `proxy http://[redacted]@${rest} refused` }));
    expect(scrubbed).not.toContain(user);
    if (password) expect(scrubbed).not.toContain(`:${password}@`);
  });

  it('leaves URLs without credentials and other text alone', () => {
    expect(splitUrlCredentials('http://proxy:3128')).toBeUndefined();
    expect(splitUrlCredentials('proxy:3128')).toBeUndefined();
    expect(redactUrl('https://sse.example/api')).toBe('https://sse.example/api');
    expect(redactUrlCredentials('mail ann@corp.example about http://h:1/x')).toBe(
      'mail ann@corp.example about http://h:1/x',
    );
  });

  it('lists every spelling of a credential: as written, decoded and encoded', () => {
    expect(credentialSpellings('pa%2Fss')).toEqual(['pa%2Fss', 'pa/ss']);
    expect(credentialSpellings('p@s/s:w')).toEqual(['p@s/s:w', 'p%40s%2Fs%3Aw']);
    expect(credentialSpellings('bad%zz')).toEqual(['bad%zz', 'bad%25zz']);
    expect(credentialSpellings('')).toEqual([]);
  });
});
