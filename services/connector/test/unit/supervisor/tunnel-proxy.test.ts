import { parseNoProxy, parseProxyUrl } from '@pa-connector/sse-api';
import { tunnelProxyFor } from '../../../src/supervisor/tunnel-proxy';

const gateway = {
  id: 'g',
  name: 'g',
  host: '192.0.2.10',
  port: 443,
  protocol: 'tcp' as const,
  serverName: 'g',
};

describe('proxy of a tunnel', () => {
  it('none without a proxy, or when the gateway is in the no-proxy list', () => {
    expect(tunnelProxyFor(gateway, undefined, parseNoProxy([]))).toBeUndefined();
    const proxy = parseProxyUrl('http://proxy.example:3128');
    expect(tunnelProxyFor(gateway, proxy, parseNoProxy(['192.0.2.0/24']))).toBeUndefined();
    expect(tunnelProxyFor(gateway, proxy, parseNoProxy(['10.0.0.0/8']))).toEqual({
      host: 'proxy.example',
      port: 3128,
    });
  });

  it('takes the credentials from the proxy URL (user and password with special characters)', () => {
    const proxy = parseProxyUrl('http://us%40er:p%3Ass%20w@[::1]:8080');
    expect(tunnelProxyFor(gateway, proxy, parseNoProxy([]))).toEqual({
      host: '::1',
      port: 8080,
      credentials: { user: 'us@er', password: 'p:ss w' },
    });
  });
});
