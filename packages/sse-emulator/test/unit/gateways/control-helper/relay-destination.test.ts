import { relayDestination } from '../../../../src/gateways/control-helper/relay-destination';

describe('relayDestination', () => {
  it('allows a connector address (.2 to .254) on the tunnel network', () => {
    expect(relayDestination('10.231.1.2 8119', '10.231.1.0')).toEqual({
      ok: true,
      host: '10.231.1.2',
      port: 8119,
      dest: '10.231.1.2:8119',
    });
    expect(relayDestination('10.231.1.254 1', '10.231.1.0')).toMatchObject({ ok: true });
  });

  it.each([
    ['10.231.1.1 8119', 'the gateway itself'],
    ['10.231.1.0 8119', 'the network address'],
    ['10.231.1.255 8119', 'the broadcast address'],
    ['10.231.2.2 8119', 'another gateway’s network'],
    ['10.231.1.2 0', 'port 0'],
    ['10.231.1.2 65536', 'a port above 65535'],
  ])('forbids %s (%s), naming the destination and the network', (line) => {
    const r = relayDestination(line, '10.231.1.0');
    expect(r).toMatchObject({ ok: false, code: 'forbidden' });
    expect(r.ok === false && r.message).toBe(
      `${line.replace(' ', ':')} is not a connector address on tunnel network 10.231.1.0/24`,
    );
  });

  it.each(['', '10.231.1.2', '10.231.1.2:8119', 'example.com 80', '10.231.1.2 8119 x'])(
    'refuses the malformed line %j',
    (line) => {
      expect(relayDestination(line, '10.231.1.0')).toEqual({
        ok: false,
        code: 'bad_request',
        message: 'expected "<address> <port>"',
      });
    },
  );
});
