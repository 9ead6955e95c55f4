import { parseHelperArgs } from '../../../../src/gateways/control-helper/helper-args';

const good = ['10.231.1.1', '8090', '10.231.1.0', '/var/lib/pa/gw1/relay.sock', '5000'];

describe('parseHelperArgs', () => {
  it('reads host, port, tunnel network, relay path and dial timeout in that order', () => {
    expect(parseHelperArgs(good)).toEqual({
      host: '10.231.1.1',
      port: 8090,
      network: '10.231.1.0',
      relayPath: '/var/lib/pa/gw1/relay.sock',
      dialTimeoutMs: 5000,
    });
  });

  it.each([
    [good.slice(0, 4), /expected 5 arguments, got 4/],
    [['', ...good.slice(1)], /host must not be empty/],
    [[good[0], '0', ...good.slice(2)], /port must be an integer 1-65535, got "0"/],
    [[good[0], 'http', ...good.slice(2)], /port must be an integer 1-65535, got "http"/],
    [[...good.slice(0, 2), '10.231.1.7', ...good.slice(3)], /tunnel network .* got "10.231.1.7"/],
    [[...good.slice(0, 3), '', good[4]], /relay socket path must not be empty/],
    [[...good.slice(0, 4), '0'], /dial timeout must be a positive integer of ms, got "0"/],
    [[...good.slice(0, 4), '5s'], /dial timeout must be a positive integer of ms, got "5s"/],
  ])('refuses %j naming the argument', (argv, message) => {
    expect(() => parseHelperArgs(argv as string[])).toThrow(message);
  });
});
