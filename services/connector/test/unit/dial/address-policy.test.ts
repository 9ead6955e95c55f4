import { isForbiddenAddress } from '../../../src/dial/address-policy';

describe('isForbiddenAddress', () => {
  it.each([
    '127.0.0.1',
    '127.1.2.3',
    '0.0.0.0',
    '169.254.169.254',
    '169.254.1.1',
    '100.100.100.200',
    '::1',
    '::',
    'fe80::1',
    'febf::1',
    'fd00:ec2::254',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:a9fe:a9fe',
    'not-an-ip',
  ])('forbids %s', (ip) => expect(isForbiddenAddress(ip)).toBe(true));

  it.each([
    '10.0.0.1',
    '192.168.1.10',
    '8.8.8.8',
    'fd00::1',
    '2001:db8::1',
    '::ffff:10.0.0.1',
    'fec0::1',
  ])('allows %s', (ip) => expect(isForbiddenAddress(ip)).toBe(false));
});
