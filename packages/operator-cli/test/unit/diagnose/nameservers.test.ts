import { judgeNameservers, parseNameservers } from '../../../src/diagnose/nameservers';

describe('nameserver counting', () => {
  const conf = [
    '# generated',
    'search corp.example',
    'nameserver 10.0.0.1',
    '  nameserver   10.0.0.2  # second',
    ';nameserver 10.0.0.9',
    'nameserver 2001:db8::53',
    'options ndots:2',
  ].join('\n');

  it('reads the nameserver lines in order, skipping comments and other options', () => {
    expect(parseNameservers(conf)).toEqual(['10.0.0.1', '10.0.0.2', '2001:db8::53']);
  });

  it('passes three, fails four (naming the ignored ones), warns on none', () => {
    expect(judgeNameservers(['a', 'b', 'c'], '/etc/resolv.conf').result).toBe('pass');
    const four = judgeNameservers(['a', 'b', 'c', 'd'], '/etc/resolv.conf');
    expect(four.result).toBe('fail');
    expect(four.detail).toContain('4 nameservers in /etc/resolv.conf');
    expect(four.detail).toContain('d ignored');
    expect(judgeNameservers([], '/x').result).toBe('warn');
  });
});
