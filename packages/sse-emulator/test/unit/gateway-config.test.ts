import {
  addressInNetwork,
  buildServerConfig,
  clientConfig,
  generateTlsCryptKey,
  isTlsCryptKey,
} from '../../src/gateways';

describe('gateway configuration', () => {
  const base = {
    listenHost: '::',
    port: 1194,
    protocol: 'udp' as const,
    tunnelNetwork: '10.231.1.0',
    dir: '/d',
    managementSocket: '/d/m.sock',
    pingSeconds: 1,
    pingRestartSeconds: 5,
  };

  it('serves UDP dual-stack with tls-crypt, AES-256-GCM, client EKU and a management socket', () => {
    const c = buildServerConfig(base);
    for (const line of [
      'proto udp6',
      'tls-crypt tls-crypt.key',
      'data-ciphers AES-256-GCM',
      'remote-cert-tls client',
      'explicit-exit-notify 1',
      'management /d/m.sock unix',
      'server 10.231.1.0 255.255.255.0',
      'ccd-exclusive',
    ]) {
      expect(c.split('\n')).toContain(line);
    }
    expect(c).not.toMatch(/^local /m);
  });

  it('serves TCP with tcp-nodelay and binds a given address', () => {
    const c = buildServerConfig({ ...base, protocol: 'tcp', listenHost: '10.0.0.1' });
    expect(c).toContain('proto tcp4-server');
    expect(c).toContain('local 10.0.0.1');
    expect(c).toContain('tcp-nodelay');
    expect(c).not.toContain('explicit-exit-notify');
  });

  it('pins a connector to its address', () => {
    expect(clientConfig('10.231.1.7')).toBe('ifconfig-push 10.231.1.7 255.255.255.0\n');
    expect(addressInNetwork('10.231.1.0', 7)).toBe('10.231.1.7');
    expect(() => addressInNetwork('10.231.1.0', 255)).toThrow();
  });

  it('makes tls-crypt keys in the format openvpn reads', () => {
    const k = generateTlsCryptKey();
    expect(isTlsCryptKey(k)).toBe(true);
    expect(k).not.toBe(generateTlsCryptKey());
    expect(isTlsCryptKey('junk')).toBe(false);
  });
});
