import { parseNoProxy, SseClientConfigError } from '../../src/client';

describe('no-proxy list', () => {
  const list = parseNoProxy(
    'sse.internal, .corp.example, *.lab.example, 10.0.0.0/8, 192.168.1.5, ::1, fd00::/8, [2001:db8::1]',
  );

  it.each([
    ['sse.internal', true],
    ['SSE.Internal', true],
    ['sse.internal.', true],
    ['other.internal', false],
    ['x.sse.internal', false],
    ['a.corp.example', true],
    ['a.b.corp.example', true],
    ['corp.example', false],
    ['xcorp.example', false],
    ['host.lab.example', true],
    ['lab.example', false],
    ['10.1.2.3', true],
    ['11.1.2.3', false],
    ['192.168.1.5', true],
    ['192.168.1.6', false],
    ['::1', true],
    ['[::1]', true],
    ['0:0:0:0:0:0:0:1', true],
    ['fd12::5', true],
    ['fe80::1', false],
    ['2001:db8::1', true],
    ['2001:db8::2', false],
  ])('%s -> %s', (host, expected) => {
    expect(list.matches(host)).toBe(expected);
  });

  it('`*` bypasses the proxy for every host', () => {
    const all = parseNoProxy(['*']);
    expect(all.matches('anything.example')).toBe(true);
    expect(all.matches('8.8.8.8')).toBe(true);
  });

  it('an empty list matches nothing', () => {
    expect(parseNoProxy(undefined).matches('localhost')).toBe(false);
    expect(parseNoProxy(' , ').entries).toEqual([]);
  });

  it.each(['10.0.0.0/33', '::/129', 'not a host', 'bad_host', '.', '*.', '300.1.1.1/8', 'x/8'])(
    'refuses %j and names it',
    (entry) => {
      expect(() => parseNoProxy([entry])).toThrow(SseClientConfigError);
      expect(() => parseNoProxy([entry])).toThrow(JSON.stringify(entry.toLowerCase()));
    },
  );
});
