import type { NetworkInterfaceInfo } from 'node:os';
import { FakeClock } from '@pa-connector/test-support';
import { DialPolicy, dialTarget } from '../../../src/dial/dial-policy';

describe('DialPolicy', () => {
  let addresses = ['192.168.1.20', 'fd00:1::20', '10.200.0.2'];
  const interfaces = () => ({
    eth0: addresses.map(
      (address): NetworkInterfaceInfo =>
        address.includes(':')
          ? {
              address,
              netmask: 'ffff:ffff:ffff:ffff::',
              family: 'IPv6',
              mac: '',
              internal: false,
              cidr: null,
              scopeid: 0,
            }
          : {
              address,
              netmask: '255.255.255.0',
              family: 'IPv4',
              mac: '',
              internal: false,
              cidr: null,
            },
    ),
  });
  const clock = new FakeClock();
  const policy = new DialPolicy({
    clock,
    interfaces,
    networks: ['172.18.0.0/16'],
    refreshMs: 5_000,
  });

  it.each([
    ['192.168.1.20', true, 'an address of this connector'],
    ['::ffff:192.168.1.20', true, 'an address of this connector'],
    ['FD00:1:0::20', false, 'an address of this connector'],
    ['172.18.3.4', true, "a network of the POP's own services"],
    ['127.0.0.1', false, 'a loopback, link-local, metadata or unspecified address'],
    ['127.0.0.1', true, 'a loopback address of this connector'],
    ['::1', true, 'a loopback address of this connector'],
    ['169.254.169.254', false, 'a loopback, link-local, metadata or unspecified address'],
  ])('refuses %s (literal: %s)', (ip, literal, why) => {
    expect(policy.refusal(ip, literal)).toBe(why);
  });

  it.each([
    ['192.168.1.21', false],
    ['172.19.0.1', false],
    ['169.254.169.254', true],
  ])('allows %s (literal: %s)', (ip, literal) => {
    expect(policy.refusal(ip, literal)).toBeUndefined();
  });

  it('allows loopback literals only when told to (single-host demos and tests)', () => {
    const demo = new DialPolicy({ clock, interfaces, allowLoopback: true });
    expect(demo.refusal('127.0.0.1', true)).toBeUndefined();
    expect(demo.refusal('127.0.0.1', false)).toBe(
      'a loopback, link-local, metadata or unspecified address',
    );
  });

  it('sees a new tunnel address after the refresh interval', async () => {
    addresses = [...addresses, '10.200.1.7'];
    expect(policy.refusal('10.200.1.7', true)).toBeUndefined();
    await clock.advance(5_000);
    expect(policy.refusal('10.200.1.7', true)).toBe('an address of this connector');
  });

  it('refuses an address it allowed before once its network is added (no stale verdict)', () => {
    const p = new DialPolicy({ clock, interfaces });
    expect(p.refusal('172.30.0.9', false)).toBeUndefined();
    expect(p.refusal('172.30.0.9', false)).toBeUndefined();
    p.addNetworks(['172.30.0.0/16']);
    expect(p.refusal('172.30.0.9', false)).toBe("a network of the POP's own services");
  });

  it('refuses a name when any of its answers is forbidden, and dials a checked one otherwise', async () => {
    const resolver = (answers: string[]) => ({
      resolveAll: async () => answers.map((address) => ({ address, family: 4 as const })),
    });
    expect(await dialTarget('app.lan', resolver(['192.168.1.30', '192.168.1.20']), policy)).toEqual(
      {
        ok: false,
        address: '192.168.1.20',
        why: 'an address of this connector',
      },
    );
    expect(await dialTarget('app.lan', resolver(['192.168.1.30']), policy)).toEqual({
      ok: true,
      address: '192.168.1.30',
      family: 4,
    });
  });
});
