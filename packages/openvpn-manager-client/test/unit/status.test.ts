import { parseStatus } from '../../src/protocol/status';
import { loadTranscript } from './helpers/scripted-openvpn';

const replyLines = (recv: string) => recv.split('\r\n').slice(0, recv.split('\r\n').indexOf('END'));

describe('parseStatus', () => {
  test('format 3 from a server with one client (recorded)', () => {
    const step = loadTranscript('tunnel-server').steps.filter((s) => s.send === 'status 3')[1];
    const report = parseStatus(replyLines(step?.recv ?? ''));
    expect(report.mode).toBe('server');
    expect(report.clients[0]?.fields).toMatchObject({ 'Common Name': 'client', 'Client ID': '1' });
    expect(report.routes.map((r) => r.lastRef)).toEqual([
      new Date(1795433296000),
      new Date(1795433296000),
    ]);
  });

  test('a client reports statistics in every format', () => {
    const lines = [
      'OpenVPN STATISTICS',
      'Updated,2026-11-23 11:28:20',
      'TUN/TAP read bytes,48',
      'TCP/UDP write bytes,2088',
      'Auth read bytes,0',
    ];
    const report = parseStatus(lines);
    expect(report).toMatchObject({
      mode: 'client',
      statistics: { 'TUN/TAP read bytes': 48, 'TCP/UDP write bytes': 2088, 'Auth read bytes': 0 },
      clients: [],
    });
    expect(report.time).toBeInstanceOf(Date);
  });

  test('format 2 (commas) from a server', () => {
    const report = parseStatus([
      'TITLE,OpenVPN 2.6.14 x86_64-pc-linux-gnu',
      'TIME,2026-11-23 11:15:19,1795432519',
      'HEADER,CLIENT_LIST,Common Name,Real Address,Virtual Address,Virtual IPv6 Address,Bytes Received,Bytes Sent,Connected Since,Connected Since (time_t),Username,Client ID,Peer ID,Data Channel Cipher',
      'CLIENT_LIST,alice,10.0.0.2:1194,10.8.0.6,,1234,5678,2026-11-23 11:00:00,1795431600,UNDEF,0,1,CHACHA20-POLY1305',
      'HEADER,ROUTING_TABLE,Virtual Address,Common Name,Real Address,Last Ref,Last Ref (time_t)',
      'ROUTING_TABLE,10.8.0.6,alice,10.0.0.2:1194,2026-11-23 11:15:00,1795432500',
      'GLOBAL_STATS,Max bcast/mcast queue length,0',
    ]);
    expect(report).toMatchObject({
      mode: 'server',
      title: 'OpenVPN 2.6.14 x86_64-pc-linux-gnu',
      time: new Date(1795432519000),
      clients: [
        {
          commonName: 'alice',
          realAddress: '10.0.0.2:1194',
          virtualAddress: '10.8.0.6',
          virtualIpv6Address: undefined,
          bytesReceived: 1234,
          bytesSent: 5678,
          connectedSince: new Date(1795431600000),
          username: 'UNDEF',
          clientId: 0,
          peerId: 1,
          dataChannelCipher: 'CHACHA20-POLY1305',
        },
      ],
      routes: [
        { virtualAddress: '10.8.0.6', commonName: 'alice', lastRef: new Date(1795432500000) },
      ],
      globalStats: { 'Max bcast/mcast queue length': '0' },
    });
  });

  test('format 1 from a server (sections, as recorded from 2.6.14 with no clients, plus a row)', () => {
    const report = parseStatus([
      'OpenVPN CLIENT LIST',
      'Updated,2026-11-23 11:15:21',
      'Common Name,Real Address,Bytes Received,Bytes Sent,Connected Since',
      'alice,10.0.0.2:1194,1234,5678,2026-11-23 11:00:00',
      'ROUTING TABLE',
      'Virtual Address,Common Name,Real Address,Last Ref',
      '10.8.0.6,alice,10.0.0.2:1194,2026-11-23 11:15:00',
      'GLOBAL STATS',
      'Max bcast/mcast queue length,0',
    ]);
    expect(report).toMatchObject({
      mode: 'server',
      clients: [{ commonName: 'alice', bytesReceived: 1234, bytesSent: 5678, clientId: undefined }],
      routes: [{ virtualAddress: '10.8.0.6', commonName: 'alice' }],
      globalStats: { 'Max bcast/mcast queue length': '0' },
    });
    expect(report.clients[0]?.connectedSince).toEqual(new Date('2026-11-23T11:00:00'));
  });
});
