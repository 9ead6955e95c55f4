import type { Gateway } from '@pa-connector/sse-api';
import {
  buildClientConfig,
  type ClientConfigOptions,
  remoteOf,
  TunnelConfigError,
} from '../../../src/edge/openvpn-config';

const gateway: Gateway = {
  id: 'gw1',
  name: 'local-gw1',
  host: '192.0.2.10',
  port: 1194,
  protocol: 'udp',
  serverName: 'local-gw1',
};

const base: ClientConfigOptions = {
  gateway,
  device: 'pa-t1',
  certificatePem: '-----BEGIN CERTIFICATE-----\nCERT\n-----END CERTIFICATE-----\n',
  caChainPems: ['-----BEGIN CERTIFICATE-----\nCA1\n-----END CERTIFICATE-----\n'],
  privateKeyPem: '-----BEGIN PRIVATE KEY-----\nKEY\n-----END PRIVATE KEY-----\n',
  tlsCryptKey: '-----BEGIN OpenVPN Static key V1-----\nTC\n-----END OpenVPN Static key V1-----\n',
  cipher: 'AES-256-GCM',
  managementSocket: '/run/pa/t1/management.sock',
  pidFile: '/run/pa/t1/openvpn.pid',
  timing: { pingSeconds: 1, pingRestartSeconds: 2, connectRetryMaxSeconds: 5 },
};

const lines = (o: Partial<ClientConfigOptions> = {}) =>
  buildClientConfig({ ...base, ...o }).split('\n');

describe('openvpn client configuration', () => {
  it('checks the gateway certificate, ignores pushed pings, holds for the management socket', () => {
    const l = lines();
    for (const expected of [
      'client',
      'dev-type tun',
      'dev pa-t1',
      'proto udp',
      'remote 192.0.2.10 1194',
      'nobind',
      'remote-cert-tls server',
      'verify-x509-name local-gw1 name',
      'data-ciphers AES-256-GCM',
      'pull-filter ignore "ping"',
      'pull-filter ignore "redirect-gateway"',
      'pull-filter ignore "route "',
      'pull-filter ignore "dhcp-option"',
      'pull-filter ignore "compress"',
      'allow-compression no',
      'ping 1',
      'ping-restart 2',
      'tls-timeout 1',
      'connect-retry 1 5',
      'explicit-exit-notify 1',
      'fast-io',
      'sndbuf 4194304',
      'rcvbuf 4194304',
      'txqueuelen 1000',
      'writepid /run/pa/t1/openvpn.pid',
      'management /run/pa/t1/management.sock unix',
      'management-hold',
    ]) {
      expect(l).toContain(expected);
    }
    expect(l).not.toContain('persist-tun');
    expect(l).not.toContain('tcp-nodelay');
    expect(l.some((x) => x.startsWith('http-proxy'))).toBe(false);
  });

  it('inlines certificate, key, CA chain and tls-crypt key', () => {
    const text = buildClientConfig({
      ...base,
      caChainPems: ['-----BEGIN CERTIFICATE-----\nCA1\n-----END CERTIFICATE-----', 'CA2PEM'],
    });
    expect(text).toContain(
      '<key>\n-----BEGIN PRIVATE KEY-----\nKEY\n-----END PRIVATE KEY-----\n</key>',
    );
    expect(text).toContain('<tls-crypt>\n-----BEGIN OpenVPN Static key V1-----');
    expect(text).toMatch(/<ca>\n[^<]*CA1[^<]*CA2PEM\n<\/ca>/);
    expect(text).toContain('<cert>\n-----BEGIN CERTIFICATE-----\nCERT');
  });

  it('TCP gets tcp-nodelay, no exit notification and no fast-io; IPv6 hosts lose their brackets', () => {
    const l = lines({ gateway: { ...gateway, protocol: 'tcp', host: '[fd00::1]' } });
    expect(l).toContain('proto tcp-client');
    expect(l).toContain('tcp-nodelay');
    expect(l).toContain('remote fd00::1 1194');
    expect(l).not.toContain('explicit-exit-notify 1');
    // fast-io is for UDP only; the socket buffers and the tun queue are for either transport.
    expect(l).not.toContain('fast-io');
    for (const tuned of ['sndbuf 4194304', 'rcvbuf 4194304', 'txqueuelen 1000']) {
      expect(l).toContain(tuned);
    }
    expect(remoteOf({ ...gateway, host: 'fd00::1' })).toBe('[fd00::1]:1194/udp');
    expect(remoteOf(gateway)).toBe('192.0.2.10:1194/udp');
  });

  it('an HTTP proxy with credentials refers to the auth file, never the password', () => {
    const l = lines({
      gateway: { ...gateway, protocol: 'tcp' },
      proxy: { host: 'proxy.example', port: 3128, authFile: '/run/pa/t1/proxy-auth' },
    });
    expect(l).toContain('http-proxy proxy.example 3128 /run/pa/t1/proxy-auth basic');
    expect(
      lines({ gateway: { ...gateway, protocol: 'tcp' }, proxy: { host: '::1', port: 8 } }),
    ).toContain('http-proxy ::1 8');
  });

  it('refuses what cannot be written safely, naming the problem', () => {
    const bad: Array<[Partial<ClientConfigOptions>, RegExp]> = [
      [{ gateway: { ...gateway, host: 'a b' } }, /host "a b" is not valid/],
      [{ gateway: { ...gateway, host: 'x\nscript-security 3' } }, /host .* is not valid/],
      [{ gateway: { ...gateway, port: 0 } }, /port 0 is not valid/],
      [{ gateway: { ...gateway, serverName: undefined } as Gateway }, /no usable serverName/],
      [{ gateway: { ...gateway, serverName: 'x y' } }, /no usable serverName/],
      [{ device: 'this-name-is-too-long' }, /device name/],
      [{ cipher: 'AES 256' }, /cipher/],
      [{ cipher: 'none' }, /cipher "none" is not one of AES-256-GCM/],
      [{ cipher: 'AES-256-CBC' }, /cipher/],
      [{ tlsCryptKey: '</tls-crypt>\nscript-security 2\n<tls-crypt>' }, /tls-crypt block/],
      [{ caChainPems: ['x\n</ca>\nup /bin/sh\n<ca>'] }, /ca block/],
      [{ proxy: { host: 'p', port: 1 } }, /uses UDP; an HTTP proxy carries TCP only/],
      [
        {
          gateway: { ...gateway, protocol: 'tcp' },
          proxy: { host: 'p', port: 1, authFile: '/a b' },
        },
        /must not contain spaces/,
      ],
    ];
    for (const [o, message] of bad) {
      expect(() => lines(o)).toThrow(TunnelConfigError);
      expect(() => lines(o)).toThrow(message);
    }
  });
});
