import { parseRegionSpec } from '../../../src/config/regions';
import { endpointTable } from '../../../src/endpoints/endpoint-table';

describe('endpointTable', () => {
  const regions = [
    {
      ...parseRegionSpec('us-west=10.1.0.2:443/udp,10.1.0.3:443/tcp'),
      hostnames: ['us-west.pa-wgcs.example.test'],
    },
  ];

  it('gives each purpose its own listeners, else the combined one', () => {
    const table = endpointTable({
      profile: 'saas',
      combinedUrl: 'https://127.0.0.1:8443',
      listeners: [
        { purpose: 'registration', url: 'https://wgcs.example.test:8080', listen: '0.0.0.0:8080' },
        { purpose: 'collector', url: 'https://status.example.test', listen: '0.0.0.0:443' },
        { purpose: 'collector', url: 'https://[fd00::9]:5640', listen: '[fd00::9]:5640' },
      ],
      regions,
    });
    expect(table.endpoints).toEqual({
      registration: ['https://wgcs.example.test:8080'],
      tokens: ['https://127.0.0.1:8443'],
      catalog: ['https://127.0.0.1:8443'],
      collector: ['https://status.example.test', 'https://[fd00::9]:5640'],
    });
    expect(table.pops).toEqual([
      {
        region: 'us-west',
        hostnames: ['us-west.pa-wgcs.example.test'],
        gateways: [
          { name: 'us-west-gw1', host: '10.1.0.2', port: 443, protocol: 'udp' },
          { name: 'us-west-gw2', host: '10.1.0.3', port: 443, protocol: 'tcp' },
        ],
      },
    ]);
    expect(table.rows.map((r) => [r.destination, r.port, r.protocol])).toEqual([
      ['wgcs.example.test', 8080, 'tcp'],
      ['127.0.0.1', 8443, 'tcp'],
      ['127.0.0.1', 8443, 'tcp'],
      ['status.example.test', 443, 'tcp'],
      ['fd00::9', 5640, 'tcp'],
      ['10.1.0.2', 443, 'udp'],
      ['10.1.0.3', 443, 'tcp'],
    ]);
    expect(table.rows[0]?.purpose).toBe(
      'registration: connector registration and certificate renewal',
    );
    expect(table.rows[5]?.purpose).toBe('gateway: tunnel to us-west-gw1 (PoP us-west)');
  });
});
