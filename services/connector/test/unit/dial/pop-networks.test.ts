import type { NetworkInterfaceInfo } from 'node:os';
import { defaultRoute, popNetworks } from '../../../src/dial/pop-networks';

const TABLE = `Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
eth1\t000012AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0
eth0\t00000000\t010013AC\t0003\t0\t0\t0\t00000000\t0\t0\t0
eth0\t000013AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0
`;

const v4 = (address: string, cidr: string): NetworkInterfaceInfo => ({
  address,
  netmask: '255.255.0.0',
  family: 'IPv4',
  mac: '02:42:ac:12:00:05',
  internal: false,
  cidr,
});

// As in compose: eth1 on `internal` (Redis at 172.18.0.2), eth0 on `egress` (default route).
const compose = () => ({
  lo: [{ ...v4('127.0.0.1', '127.0.0.1/8'), internal: true }],
  eth0: [v4('172.19.0.3', '172.19.0.3/16')],
  eth1: [v4('172.18.0.5', '172.18.0.5/16')],
});

describe('popNetworks', () => {
  it('reads the default route from /proc/net/route', () => {
    expect(defaultRoute(TABLE)).toEqual({ iface: 'eth0', gateway: '172.19.0.1' });
    expect(defaultRoute(TABLE.split('\n').slice(0, 2).join('\n'))).toBeUndefined();
  });

  it("in compose: the whole network where Redis is, and the bridge gateway; not egress's LAN", () => {
    expect(
      popNetworks({
        redisAddresses: ['172.18.0.2'],
        interfaces: compose,
        routeTable: TABLE,
        inContainer: true,
      }),
    ).toEqual(['172.18.0.5/16', '172.19.0.1/32']);
  });

  it('Redis behind the default route: only its address (the subnet is the LAN)', () => {
    expect(
      popNetworks({
        redisAddresses: ['172.19.0.9'],
        interfaces: compose,
        routeTable: TABLE,
        inContainer: false,
      }),
    ).toEqual(['172.19.0.9/32']);
  });

  it('no default route: only Redis’s address; Redis on loopback: nothing', () => {
    const header = TABLE.split('\n')[0] as string;
    expect(
      popNetworks({ redisAddresses: ['172.18.0.2'], interfaces: compose, routeTable: header }),
    ).toEqual(['172.18.0.2/32']);
    expect(
      popNetworks({
        redisAddresses: ['127.0.0.1'],
        interfaces: compose,
        routeTable: TABLE,
        inContainer: false,
      }),
    ).toEqual([]);
  });
});
